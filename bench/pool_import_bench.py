"""Benchmark of the reviewer pool's XLSX import: 10,000 rows, checked and imported in one go.

Run from the repository root: ``python bench/pool_import_bench.py [--rows N] [--postgresql]``.
It generates (seeded) an XLSX of N candidate reviewers in the template's layout (a third of
them affiliated to registered organisations by 사업자등록번호, the rest by name; one to three
expertise codes, keywords, career, region), then on a fresh database (SQLite in a temporary
file, or a throw-away PostgreSQL cluster started by tests/services.py):

1. imports a copy whose last row is wrong: every row is checked, nothing is written;
2. imports the file: N accounts and profiles created, one audit entry;
3. imports it again with a tenth of the rows changed: N accounts found, N/10 profiles updated.

It prints the time of each step (reading and checking included) and the peak RSS.
"""
from __future__ import annotations

import argparse
import io
import platform
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

KEYWORDS = ["스마트팩토리", "디지털트윈", "예지보전", "머신비전", "협동로봇", "생성형 AI", "빅데이터", "엣지컴퓨팅",
            "공정최적화", "품질검사", "에너지관리", "탄소중립", "물류자동화", "데이터플랫폼", "5G 특화망"]
REGIONS = ["서울", "부산", "대구", "인천", "광주", "대전", "울산", "경기", "충남", "경북", "경남", "전남"]
TYPES = ["대학", "연구기관", "입주기업", "AI 솔루션 공급기업", "공공기관", "기타"]


def make_rows(n: int, codes: list[str], brns: list[str], rng: random.Random, tag: str = "") -> list[list]:
    rows = []
    for i in range(n):
        registered = brns and rng.random() < 0.33
        rows.append([
            f"reviewer{i:05d}@pool.example.kr", f"후보{i:05d}", rng.choice(brns) if registered else "",
            "" if registered else f"기관{rng.randint(1, 2000)}", rng.choice(TYPES), "공학과", "교수",
            ", ".join(rng.sample(codes, rng.randint(1, 3))),
            ", ".join(rng.sample(KEYWORDS, rng.randint(1, 4))) + tag, str(rng.randint(0, 40)), rng.choice(REGIONS),
        ])
    return rows


def to_xlsx(headers: list[str], rows: list[list]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("후보단")
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--postgresql", action="store_true", help="a throw-away PostgreSQL cluster instead of SQLite")
    args = parser.parse_args()

    pg = None
    tmp = tempfile.TemporaryDirectory()
    if args.postgresql:
        from tests import services

        pg = services.start_postgres()
        url = pg.url
    else:
        url = f"sqlite:///{tmp.name}/bench.sqlite3"

    from app import create_app
    from app.accounts import brn
    from app.extensions import db
    from app.models import Organisation, User
    from app.models.organisations import Role
    from app.review import expertise, pool_import
    from config import TestingConfig

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    try:
        with app.app_context():
            db.drop_all()
            db.create_all()
            expertise.load()
            orgs = [Organisation(name=f"등록기관{i}", type="university", region="대전",
                                 brn=brn.with_check_digit(f"{500000000 + i}")) for i in range(200)]
            officer = User(email="officer@bench.kr", name="담당", password_hash="!", email_verified_at=None)
            officer.grant(Role.OFFICER)
            db.session.add_all([*orgs, officer])
            db.session.commit()
            codes = [c.code for c in expertise.all_codes() if c.level == 2]
            rng = random.Random(11)
            headers = [c.header for c in pool_import.COLUMNS]
            rows = make_rows(args.rows, codes, [o.brn for o in orgs], rng)
            good = to_xlsx(headers, rows)
            bad = to_xlsx(headers, rows[:-1] + [[rows[-1][0].replace("@", "")] + rows[-1][1:]])
            changed = [r if i % 10 else [*r[:8], r[8] + ", 재생에너지", *r[9:]] for i, r in enumerate(rows)]
            again = to_xlsx(headers, changed)
            print(f"file: {args.rows:,} rows, {len(good) / 1e6:.1f} MB; database: {db.engine.dialect.name}")

            start = time.perf_counter()
            try:
                pool_import.import_file(bad, officer, "bad.xlsx")
                raise SystemExit("the bad file was imported")
            except pool_import.PoolImportError as error:
                db.session.rollback()
                assert [p.line for p in error.problems] == [args.rows + 1]
            print(f"1. a file with one bad row (last): refused in {time.perf_counter() - start:.1f} s, nothing written")

            start = time.perf_counter()
            result = pool_import.import_file(good, officer, "pool.xlsx")
            db.session.commit()
            print(f"2. first import: {time.perf_counter() - start:.1f} s "
                  f"({result.accounts_created:,} accounts, {result.profiles_created:,} profiles)")

            start = time.perf_counter()
            result = pool_import.import_file(again, officer, "pool-again.xlsx")
            db.session.commit()
            print(f"3. again, a tenth changed: {time.perf_counter() - start:.1f} s "
                  f"({result.profiles_updated:,} updated, {result.unchanged:,} unchanged)")
    finally:
        if pg is not None:
            pg.stop()
        tmp.cleanup()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB; Python {platform.python_version()}, {platform.system()}")


if __name__ == "__main__":
    main()
