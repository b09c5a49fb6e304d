"""Benchmark of the portal's reviewer recommendation: 10,000 stored profiles × 300 proposals.

Run from the repository root: ``python bench/recommend_bench.py [--profiles N] [--proposals N]``.
It builds, in a throw-away SQLite file, a closed call whose first evaluation stage holds N
submitted AX proposals (the generated texts of ``bench/matching_bench.py``: title, summary,
strategic industries, infrastructure items, PoC problems and solutions; each its own consortium
and lead organisation), and N reviewer profiles with their terms stored as the profile pages
store them (keywords, project titles, department; 2 % empty, 20 % industry, 5 % unavailable,
one in 200 working for a proposal's lead organisation so the conflict rules have work).
Then it times ``app.review.recommend.compute`` — the whole background task: loading the
profiles, the BM25 pool, the conflict index, ranking every proposal (Kiwi tokenisation of each
proposal included), load spreading, industry share, the panel ranking, storing about 4,800
rows — with the Kiwi model loaded beforehand (once per worker process). Building the rows is
not timed.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from matching_bench import make_profiles, make_proposals  # noqa: E402


def build(args, rng):
    from sqlalchemy import insert

    from app.core import clock
    from app.demo import ax2025
    from app.extensions import db
    from app.matching import tokenise
    from app.models import Consortium, ConsortiumMember, InfraItem, Organisation, PocPlan, Proposal, User
    from app.models.pool import ReviewerProfile
    from tests.factories import closed_call

    call = closed_call(reviewers_per_proposal=5)
    now = clock.now()
    orgs = [{"name": f"주관기관 {i}", "type": "public_agency", "region": "경남", "brn": f"9{i:09d}"}
            for i in range(args.proposals)]
    db.session.execute(insert(Organisation), orgs)
    org_ids = [o.id for o in db.session.query(Organisation.id, Organisation.brn).filter(Organisation.brn.like("9%"))
               .order_by(Organisation.brn)]
    applicant = User(email="lead@bench.kr", name="신청자", password_hash="x", organisation_id=org_ids[0])
    db.session.add(applicant)
    db.session.flush()
    type_keys = [key for key, _, _ in ax2025.INFRA_TYPES]
    for i, text in enumerate(make_proposals(args.proposals, rng)):
        c = Consortium(name=f"컨소시엄 {i}", lead_org_id=org_ids[i], created_by_id=applicant.id)
        c.members.append(ConsortiumMember(organisation_id=org_ids[i], role="lead", confirmed_at=now))
        p = Proposal(call=call, consortium=c, title=text["title"], summary=text["summary"],
                     strategic_industries=text["industries"], status="submitted", created_by_id=applicant.id,
                     submitted_at=call.closes_at - timedelta(hours=1), receipt_no=f"B-{i:04d}")
        p.infra_items = [InfraItem(type_key=rng.choice(type_keys), description=line, position=n)
                         for n, line in enumerate(text["types"].split(", "))]
        p.poc_plans = [PocPlan(problem=line, ai_solution="", position=n) for n, line in enumerate(text["pocs"].split("\n"))]
        db.session.add(p)
    db.session.flush()

    profiles = make_profiles(args.profiles, rng)
    users = [{"email": f"r{k}@pool.kr", "name": f"후보{k}", "password_hash": "x", "locale": "ko",
              "organisation_id": org_ids[k % len(org_ids)] if k % 200 == 0 else None} for k in profiles]
    db.session.execute(insert(User), users)
    user_ids = dict(db.session.query(User.email, User.id).filter(User.email.like("r%@pool.kr")))
    terms = tokenise({k: {"keywords": v["keywords"], "records": v["projects"], "department": v["department"]}
                      for k, v in profiles.items()})
    rows = []
    for k in profiles:
        kind = "tenant_company" if rng.random() < 0.2 else "university"
        rows.append({"user_id": user_ids[f"r{k}@pool.kr"], "organisation_id": users[k]["organisation_id"],
                     "org_type": kind, "keywords": ", ".join(profiles[k]["keywords"]), "available": rng.random() >= 0.05,
                     "department": profiles[k]["department"], "terms": terms[k], "terms_at": now})
    db.session.execute(insert(ReviewerProfile), rows)
    db.session.commit()
    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--proposals", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    from app import create_app
    from config import TestingConfig

    tmp = tempfile.TemporaryDirectory()
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp.name}/bench.db")
    with app.app_context():
        from sqlalchemy import func, select

        from app.extensions import db
        from app.matching import nouns
        from app.models.panels import Recommendation
        from app.review import recommend, stage_scope

        db.create_all()
        started = time.perf_counter()
        call = build(args, rng)
        setup = time.perf_counter() - started
        nouns("디지털트윈")  # Kiwi's model, loaded once per worker process
        stage = stage_scope.current_stage(call)
        times = []
        for _ in range(args.runs):
            db.session.expire_all()
            started = time.perf_counter()
            run = recommend.compute(stage)
            db.session.commit()
            times.append(time.perf_counter() - started)
        stored = db.session.scalar(select(func.count(Recommendation.id)))
        conflicts = sum(run.conflicts.values())
        first = recommend.stored(stage)
        top = first[min(k for k in first if k is not None)][:3]
        print(f"machine: nproc {os.cpu_count()}, {platform.python_implementation()} {platform.python_version()}, "
              f"load average {os.getloadavg()[0]:.2f}")
        print(f"data: {args.profiles:,} profiles ({run.unavailable} unavailable), {args.proposals} proposals; "
              f"built in {setup:.1f} s (not timed)")
        print("recommend.compute (load, rank, conflicts, load spread, share, ranking, store): "
              + ", ".join(f"{t:.2f} s" for t in times) + " (goal < 10 s)")
        print(f"stored rows: {stored:,}; candidates left out for a conflict: {conflicts}")
        print("first proposal's top 3:", "; ".join(f"#{r.user_id} {r.score} ({', '.join(r.terms[:3])})" for r in top))
        print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    tmp.cleanup()


if __name__ == "__main__":
    main()
