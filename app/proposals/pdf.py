"""A submitted version as a print-ready PDF, typeset from its frozen snapshot.

The document is built from ``ProposalVersion.snapshot`` only, never from the live rows, so it
shows what was submitted even after the consortium edits its draft again; the same version
gives the same bytes (``KoreanDocument`` writes invariant output). Labels follow the reader's
language; the applicant's own words stay as they were typed.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flask_babel import get_locale
from flask_babel import gettext as _

from app.core import clock
from app.core.money import eok
from app.core.pdf import KoreanDocument
from app.proposals.consortia import ROLE_LABELS
from app.proposals import sections
from app.proposals.drafts import SOURCE_LABELS


def local_ratio(totals: dict) -> Decimal | None:
    """지방비 ÷ 국비 as a percentage with one decimal; None without national money."""
    national = totals.get("national") or 0
    if not national:
        return None
    return (Decimal(totals.get("local") or 0) * 100 / national).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def filename(version) -> str:
    """<receipt number>-v2.pdf: the receipt number says whose it is, the suffix which version."""
    return f"{version.receipt_no}-v{version.number}.pdf"


def _won(amount) -> str:
    return f"{int(amount or 0):,}"


def _brn(brn: str) -> str:
    return f"{brn[:3]}-{brn[3:5]}-{brn[5:]}" if brn and len(brn) == 10 else (brn or "")


def _or_blank(text) -> str:
    return text if text else _("(입력하지 않음)")


def render(version) -> bytes:
    """The whole submitted version: facts, consortium, every section, budget and attachments."""
    snap = version.snapshot
    english = str(get_locale()) == "en"
    doc = KoreanDocument(
        f"{snap['overview']['title'] or snap['call']['title']}",
        subject=_("제%(n)d판", n=version.number) + f" · {version.receipt_no}",
        author=snap["consortium"]["name"],
    )
    doc.table([
        [_("접수번호"), version.receipt_no],
        [_("판"), _("제%(n)d판", n=version.number)],
        [_("제출 일시"), clock.to_kst(version.submitted_at).strftime("%Y-%m-%d %H:%M:%S KST")],
        [_("제출자"), snap["submitted_by"]["name"]],
        [_("공모"), f"{snap['call']['title']} ({snap['call']['code']})"],
        [sections.frozen_site_label(snap, str(get_locale())), f"{snap['complex']['name']} ({snap['complex']['region']})" if snap.get("complex") else "-"],
        [_("대상 전략산업"), snap["overview"]["strategic_industries"] or "-"],
    ], header=False, widths=[0.25, 0.75])

    doc.heading(_("컨소시엄") + f": {snap['consortium']['name']}")
    doc.table([[_("기관"), _("역할"), _("지역"), _("사업자등록번호")]]
              + [[m["name"], str(ROLE_LABELS.get(m["role"], m["role"])), m["region"] or "", _brn(m["brn"])]
                 for m in snap["consortium"]["members"]], widths=[0.4, 0.2, 0.2, 0.2])

    labels = sections.frozen_labels(snap, str(get_locale()))
    doc.heading(labels[sections.OVERVIEW])
    doc.paragraph(_or_blank(snap["overview"]["summary"]))
    for page in sections.frozen_pages(snap, str(get_locale())):
        doc.heading(page.label)
        if page.kind == "items":
            _items(doc, snap, english)
        elif page.kind == "plans":
            _plans(doc, snap)
        else:
            doc.paragraph(_or_blank(snap.get("texts", {}).get(page.key)))

    budget = snap["budget"]
    doc.heading(labels[sections.BUDGET] + " " + _("(단위: 원)"))
    doc.table([[_("연도"), *[str(SOURCE_LABELS.get(s, s)) for s in budget["sources"]], _("합계")]]
              + [[str(row["year"]), *[_won(row[s]) for s in budget["sources"]], _won(row["total"])]
                 for row in budget["rows"]]
              + [[_("합계"), *[_won(budget["totals"][s]) for s in budget["sources"]], _won(budget["totals"]["total"])]])
    ratio = local_ratio(budget["totals"])
    doc.paragraph(_("총사업비") + f": {eok(budget['totals']['total'])} · " + _("국비") + f": {eok(budget['totals']['national'])}"
                  + " · " + _("국비 대비 지방비 비율") + ": " + (f"{ratio}%" if ratio is not None else "-"))

    doc.heading(labels[sections.ATTACHMENTS])
    kind = "kind_label_en" if english else "kind_label_ko"
    if snap["attachments"]:
        doc.table([[_("종류"), _("파일 이름"), _("크기(바이트)"), "SHA-256"]]
                  + [[a[kind], a["filename"], f"{a['size']:,}", a["sha256"]] for a in snap["attachments"]],
                  widths=[0.16, 0.3, 0.14, 0.4])
    else:
        doc.paragraph(_("첨부서류가 없습니다."))
    doc.paragraph(_("이 문서는 제출한 판을 그대로 옮긴 것입니다. SHA-256은 제출한 파일의 지문입니다."))
    return doc.render()


def _items(doc, snap: dict, english: bool) -> None:
    label = "type_label_en" if english else "type_label_ko"
    items = snap["infra_items"]
    doc.table([[_("지원유형"), _("내용"), _("사업비(원)")]]
              + [[i[label], i["description"] or "", _won(i["budget"])] for i in items]
              + [[_("합계"), "", _won(sum(i["budget"] or 0 for i in items))]], widths=[0.2, 0.58, 0.22])


def _plans(doc, snap: dict) -> None:
    for n, plan in enumerate(snap["poc_plans"], 1):
        doc.paragraph(f"{n}. {plan['tenant_firm'] or ''} · {_('사업비')} {_won(plan['budget'])}")
        doc.table([[_("해결할 문제"), _or_blank(plan["problem"])], [_("해결 방안"), _or_blank(plan["ai_solution"])]],
                  header=False, widths=[0.2, 0.8])
        if plan["kpis"]:
            doc.table([[_("성과지표"), _("단위"), _("기준값"), _("목표값")]]
                      + [[k["name"], k["unit"], k["baseline"] or "", k["target"] or ""] for k in plan["kpis"]],
                      widths=[0.46, 0.14, 0.2, 0.2])
    if not snap["poc_plans"]:
        doc.paragraph(_("(입력하지 않음)"))
