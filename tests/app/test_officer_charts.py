from datetime import datetime, timedelta, timezone
from decimal import Decimal
from xml.etree import ElementTree

from app.selection import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup) -> ElementTree.Element:
    return ElementTree.fromstring(str(markup))


def test_bar_chart_escapes_labels_and_stays_well_formed():
    svg = charts.bar_chart("상태 <b>", [("<script>alert(1)</script>", 3), ("제출 & 완료", 5)], "건")
    root = _parse(svg)
    assert root.get("role") == "img" and root.get("aria-label") == "상태 <b>"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<script>alert(1)</script>" in texts and "5건" in texts
    assert "<script>" not in str(svg)
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert widths[1] > widths[0]


def test_histogram_bins_scores_and_marks_the_pass_mark():
    svg = charts.histogram("총점", [Decimal("88.5"), Decimal("81"), Decimal("65"), Decimal("100")], mark=Decimal("70"), mark_label="합격선")
    root = _parse(svg)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "합격선" in labels
    assert labels.count("2") == 1  # 81 and 88.5 share the 80 bin; 100 joins the closed last bin (90–100)
    assert len([l for l in root.iter(f"{SVG}line") if l.get("stroke-dasharray")]) == 1


def test_timeline_marks_the_deadline_and_counts_each_series():
    start = datetime(2025, 6, 17, tzinfo=timezone.utc)
    end = start + timedelta(days=41)
    svg = charts.timeline("추이", [("작성", [(start + timedelta(days=1), 1), (start + timedelta(days=3), 2)]),
                                    ("제출", [(end - timedelta(hours=1), 1)])], start, end, marker=end, marker_label="마감")
    root = _parse(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "마감" in texts and "작성 (2)" in texts and "제출 (1)" in texts
    assert len(list(root.iter(f"{SVG}polyline"))) == 2


def test_progress_chart_shows_done_of_total():
    root = _parse(charts.progress_chart("진행", [("김평가", 2, 5), ("이평가", 5, 5)]))
    assert [t.text for t in root.iter(f"{SVG}text") if "/" in (t.text or "")] == ["2/5", "5/5"]
