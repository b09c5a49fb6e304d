"""No code path names one programme: calls are data.

The portal runs any grant programme from its configuration (a call's sections, criteria, sites
and words are rows). The first programme it served, the AX pilot-complex call, must therefore
leave no trace in the code: its words live in its data set — the demo data (``app/demo/``), the
migrations' history (``migrations/``) and the reference data (``app/reference/``) — and nowhere
else. This test greps the code files for the programme's name (``AX`` as a word of its own, so
MAX_WON, TAX or AXIS do not count) and for ``산단``, its short word for an industrial complex
(domain vocabulary such as 스마트그린산단 is reference data too).
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREES = ("app", "forms", "scoring", "workers")
FILES = ("config.py", "wsgi.py")
SUFFIXES = {".py", ".html", ".js", ".css"}
# The data sets, and third-party code.
EXCLUDED = ("app/demo", "app/static/vendor", "app/reference")
PATTERN = re.compile(r"(?<![A-Za-z0-9_])AX(?![A-Za-z0-9_])|산단")


def scan(root: Path, trees=TREES, files=FILES, excluded=EXCLUDED) -> list[str]:
    """``file:line:text`` for every mention under ``root``'s code files, in path order."""
    paths = [root / name for name in files if (root / name).is_file()]
    for tree in trees:
        if (root / tree).is_dir():
            paths += [p for p in (root / tree).rglob("*") if p.is_file() and p.suffix in SUFFIXES]
    hits = []
    for path in sorted(paths):
        relative = path.relative_to(root).as_posix()
        if any(relative == e or relative.startswith(e + "/") for e in excluded):
            continue
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if PATTERN.search(text):
                hits.append(f"{relative}:{number}:{text.strip()}")
    return hits


def test_no_code_path_names_a_programme():
    hits = scan(ROOT)
    assert not hits, "a programme's words belong to its data set:\n" + "\n".join(hits)


def test_the_scan_finds_a_planted_mention(tmp_path):
    (tmp_path / "app" / "web").mkdir(parents=True)
    (tmp_path / "app" / "templates").mkdir(parents=True)
    (tmp_path / "app" / "demo").mkdir(parents=True)
    (tmp_path / "app" / "web" / "view.py").write_text('TITLE = "공모"\nLABEL = "AX 인프라"\n', encoding="utf-8")
    (tmp_path / "app" / "templates" / "page.html").write_text("<p>같은 산단</p>\n", encoding="utf-8")
    (tmp_path / "app" / "money.py").write_text("MAX_WON = 10\nTAX, AXIS = 1, 2\n", encoding="utf-8")
    (tmp_path / "app" / "demo" / "call.py").write_text('NAME = "AX 실증산단"\n', encoding="utf-8")
    (tmp_path / "app" / "web" / "notes.txt").write_text("AX\n", encoding="utf-8")
    assert scan(tmp_path) == ["app/templates/page.html:1:<p>같은 산단</p>", 'app/web/view.py:2:LABEL = "AX 인프라"']
