"""Every Korean text of the portal has its English translation, with the same placeholders.

The source strings are extracted the way ``make messages`` extracts them (so an in-app
notice marked with ``outbox.notice`` counts like any other text); a text added without
its translation would reach English readers in Korean.
"""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]


def test_every_source_text_has_an_english_translation_with_the_same_placeholders(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "notice", "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    extracted = {m.id for m in read_po(pot.open("rb")) if m.id}
    with (ROOT / "translations/en/LC_MESSAGES/messages.po").open("rb") as f:
        english = read_po(f)
    missing = sorted(str(i) for i in extracted
                     if english.get(i) is None or not english[i].string or english[i].fuzzy)
    assert not missing, f"{len(missing)} texts lack an English translation (make messages, then translate): {missing[:10]}"
    assert len(extracted) > 1000  # the extraction really read the code
    broken = [(m.id, [str(e) for e in errors]) for m, errors in english.check() if m.id in extracted]
    assert not broken, broken


def test_the_catalogue_compiles_and_no_english_text_keeps_a_korean_particle_marker(tmp_path):
    """Compiled into a scratch folder (messages.po is never rewritten): a duplicate or a broken
    entry fails here, not at deploy time; and the English never carries "을(를)" and the like."""
    from app.core.particles import MARKERS

    out = tmp_path / "en" / "LC_MESSAGES"
    out.mkdir(parents=True)
    done = subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile", "-i",
                           "translations/en/LC_MESSAGES/messages.po", "-o", str(out / "messages.mo"), "-l", "en"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and (out / "messages.mo").stat().st_size > 0, done.stderr[-2000:]
    with (ROOT / "translations/en/LC_MESSAGES/messages.po").open("rb") as f:
        english = read_po(f)
    marked = [m.id for m in english if m.id and any(
        marker in s for s in ([m.string] if isinstance(m.string, str) else m.string) for marker in MARKERS)]
    assert not marked, marked[:10]
