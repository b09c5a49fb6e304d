"""The expertise code list (기술분류): loading it from a CSV file and reading it as a tree.

The list is configuration, not code: ``EXPERTISE_CODES_FILE`` names a CSV with the columns
``code, parent_code, level, name_ko, name_en`` (a parent listed before its children), by
default ``app/reference/expertise_codes.csv``, the top two levels (대분류, 중분류) of the
industrial technology classification (산업기술분류). Loading upserts by code and never deletes:
profiles may hold a code that a newer list dropped, and they keep it.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.errors import ReviewError
from app.extensions import db
from app.models.pool import ExpertiseCode

COLUMNS = ("code", "parent_code", "level", "name_ko", "name_en")


class CodeListError(ReviewError):
    pass


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


@dataclass
class Node:
    code: ExpertiseCode
    children: list["Node"] = field(default_factory=list)


def default_path() -> str:
    return current_app.config["EXPERTISE_CODES_FILE"]


def read_file(path: str | Path) -> list[dict]:
    """The rows of a code file, checked: every code once, every parent known before its child."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise CodeListError(_l("코드 파일에 %(cols)s 열이 없습니다.", cols=", ".join(missing)))
            rows = list(reader)
    except OSError as exc:
        raise CodeListError(_l("코드 파일을 읽을 수 없습니다: %(why)s", why=str(exc)))
    seen: set[str] = set()
    out = []
    for line, row in enumerate(rows, start=2):
        code = (row["code"] or "").strip()
        parent = (row["parent_code"] or "").strip() or None
        name_ko = (row["name_ko"] or "").strip()
        level_text = (row["level"] or "").strip()
        if not code or len(code) > 16 or code in seen:
            raise CodeListError(_l("%(line)d행: 코드가 비었거나, 16자를 넘거나, 앞에 이미 있습니다.", line=line))
        if parent is not None and parent not in seen:
            raise CodeListError(_l("%(line)d행: 상위 코드 %(parent)s가 앞에 없습니다.", line=line, parent=parent))
        if not name_ko or not level_text.isdigit():
            raise CodeListError(_l("%(line)d행: 한글 이름과 수준(숫자)이 필요합니다.", line=line))
        seen.add(code)
        out.append({"code": code, "parent_code": parent, "level": int(level_text), "name_ko": name_ko[:100],
                    "name_en": (row["name_en"] or "").strip()[:100], "position": len(out)})
    return out


def load(path: str | Path | None = None) -> LoadResult:
    """Upsert the codes of ``path`` (default: the configured file); the caller commits."""
    rows = read_file(path or default_path())
    existing = {c.code: c for c in db.session.scalars(select(ExpertiseCode))}
    result = LoadResult()
    for row in rows:
        found = existing.get(row["code"])
        if found is None:
            db.session.add(ExpertiseCode(**row))
            # Parents first: the foreign key holds at every flush.
            db.session.flush()
            result.created += 1
        elif any(getattr(found, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(found, k, v)
            result.updated += 1
        else:
            result.unchanged += 1
    db.session.flush()
    return result


def ensure_loaded() -> LoadResult | None:
    """Load the configured list when the table is empty (the demo, a fresh database); else nothing."""
    if db.session.scalar(select(ExpertiseCode.code).limit(1)) is not None:
        return None
    return load()


def all_codes() -> list[ExpertiseCode]:
    return list(db.session.scalars(select(ExpertiseCode).order_by(ExpertiseCode.position, ExpertiseCode.code)))


def known(codes) -> set[str]:
    """Which of ``codes`` are in the list."""
    wanted = {c for c in codes if c}
    if not wanted:
        return set()
    return set(db.session.scalars(select(ExpertiseCode.code).where(ExpertiseCode.code.in_(wanted))))


def tree() -> list[Node]:
    """The list as a tree in file order: each top-level field with its sub-fields."""
    nodes = {c.code: Node(c) for c in all_codes()}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.code.parent_code) if node.code.parent_code else None
        (parent.children if parent is not None else roots).append(node)
    return roots


def with_descendants(code: str) -> set[str]:
    """``code`` and every code under it: searching a field finds its sub-fields' experts too."""
    children: dict[str, list[str]] = {}
    for c, parent in db.session.execute(select(ExpertiseCode.code, ExpertiseCode.parent_code)):
        if parent:
            children.setdefault(parent, []).append(c)
    found, todo = set(), [code]
    while todo:
        c = todo.pop()
        if c not in found:
            found.add(c)
            todo.extend(children.get(c, ()))
    return found


def labels(locale: str = "ko") -> dict[str, str]:
    """code -> "0301 인공지능" for showing a profile's codes."""
    return {c.code: f"{c.code} {c.name_en if locale == 'en' and c.name_en else c.name_ko}" for c in all_codes()}
