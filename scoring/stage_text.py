"""The words of stage verdicts (``stages``), in Korean and English, as ``explain`` words a score."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from .explain import _TEXT, Locale, _exact_text, _plain, selection_line
from .model import Policy, Result
from .values import round_half_up

LOCALES: tuple[Locale, ...] = ("ko", "en")

# Stage kind (app/models/stages.py StageKind) → (short, full) names; another key shows as is.
STAGE_NAMES: dict[str, dict[Locale, tuple[str, str]]] = {
    "written": {"ko": ("서면", "서면평가"), "en": ("written", "written review")},
    "presentation": {"ko": ("발표", "발표평가"), "en": ("presentation", "presentation review")},
    "site": {"ko": ("현장", "현장평가"), "en": ("site", "site visit")},
}

_SHORTLIST: dict[Locale, dict[str, str]] = {
    "ko": {
        "all": "통과한 제안 모두",
        "in_all": "{stage} {rank}위, 통과: 통과한 제안은 모두 {next} 대상",
        "top": "상위 {value}건",
        "multiple": "{value}배수({size}건)",
        "in": "{stage} {rank}위, 통과: {rule} 안에 들어 {next} 대상",
        "tied": (
            "{stage} {rank}위, 통과: {rule} 밖이지만 {cut_rank}위 {cut}와(과) 총점과 동점 처리 기준이 모두 같아 "
            "함께 {next} 대상"
        ),
        "out": "{stage} {rank}위, 통과: {rule} 밖이라 {next} 대상 아님",
        "failed": "{stage} {rank}위, 미통과: {next} 대상 아님",
        "next": "다음 단계",
    },
    "en": {
        "all": "every passing proposal",
        "in_all": "{stage} rank {rank}, passed: every passing proposal goes on to the {next}",
        "top": "the top {value}",
        "multiple": "{value}× the awards ({size})",
        "in": "{stage} rank {rank}, passed: within {rule}, so on to the {next}",
        "tied": (
            "{stage} rank {rank}, passed: beyond {rule}, but equal to {cut} (rank {cut_rank}) on the total and "
            "every tie-break, so on to the {next} as well"
        ),
        "out": "{stage} rank {rank}, passed: outside {rule}, so not on to the {next}",
        "failed": "{stage} rank {rank}, not passed: not on to the {next}",
        "next": "next stage",
    },
}

_FINAL: dict[Locale, dict[str, str]] = {
    "ko": {
        "part": "{stage} {total}점 × {weight}% = {contribution}점",
        "sum": "합계 {exact}점",
        "rounded": ", 소수점 {decimals}자리로 반올림하여 {total}점",
        "last": "최종점수: 마지막 단계인 {stage} {total}점",
        "stage_failed": "미통과: {stage}를 통과하지 못했습니다({reason}).",
        "below pass mark": "총점 기준 미달",
        "no reviews": "평가표 없음",
        "below criterion floor": "과락: {key}",
    },
    "en": {
        "part": "{stage} {total} × {weight}% = {contribution}",
        "sum": "total {exact}",
        "rounded": ", rounded half-up to {decimals} decimal place(s): {total}",
        "last": "Final score: the last stage, {stage}, {total}",
        "stage_failed": "Not passed: it did not pass the {stage} ({reason}).",
        "below pass mark": "below the pass mark",
        "no reviews": "no review sheets",
        "below criterion floor": "below the floor of {key}",
    },
}


class _Part(Protocol):
    stage: str
    total: Decimal
    weight: Decimal
    contribution: Decimal


def stage_name(stage: str, locale: Locale, full: bool = True) -> str:
    names = STAGE_NAMES.get(stage)
    return names[locale][1 if full else 0] if names else stage


def _sentence(line: str) -> str:
    return line[:1].upper() + line[1:]


def exact_figure(value: Decimal, places: int) -> str:
    """An exact figure with at least ``places`` decimals: 61.600 → "61.60", 26.751 → "26.751"."""
    if value.normalize().as_tuple().exponent >= -places:
        return str(round_half_up(value, places))
    return _exact_text(value, places)


def shortlist_line(
    case: str, result: Result, rule: str, value: int | None, size: int | None,
    stage: str, next_stage: str | None, cut: Result | None, locale: Locale,
) -> str:
    """``case``: "in", "tied" (past the cut, tied with ``cut``), "out" or "failed"."""
    text = _SHORTLIST[locale]
    if rule == "all" and case == "in":
        case = "in_all"
    return _sentence(text[case].format(
        stage=stage_name(stage, locale),
        rank=result.rank,
        rule=text[rule].format(value=value, size=size),
        next=stage_name(next_stage, locale) if next_stage else text["next"],
        cut=cut.id if cut else "",
        cut_rank=cut.rank if cut else "",
    ))


def final_line(mode: str, parts: Sequence[_Part], exact: Decimal, total: Decimal, places: int, locale: Locale) -> str:
    """How the parts make the final score, its rounding last."""
    text = _FINAL[locale]
    if mode == "last":
        part = parts[0]
        line = text["last"].format(stage=stage_name(part.stage, locale), total=exact_figure(part.total, places))
    else:
        shares = [
            text["part"].format(
                stage=stage_name(p.stage, locale, full=False), total=exact_figure(p.total, places),
                weight=_plain(p.weight), contribution=exact_figure(p.contribution, places),
            )
            for p in parts
        ]
        line = ", ".join([*shares, text["sum"].format(exact=exact_figure(exact, places))])
    if exact != total:
        line += text["rounded"].format(decimals=places, total=str(total))
    return _sentence(line)


def verdict_lines(result: Result, policy: Policy, locale: Locale) -> tuple[str, str]:
    """The final pass line and selection line, in the engine's explanation words."""
    text = _TEXT[locale]
    figures = {"total": str(result.total), "pass_mark": _plain(policy.pass_mark)}
    reason = result.score.fail_reason
    if reason is None:
        passed = text["passed"].format(**figures)
    elif reason == "below pass mark":
        passed = text["below pass mark"].format(**figures)
    else:
        # "not passed at STAGE: REASON", REASON the engine's for that stage.
        stage, stage_reason = reason.removeprefix("not passed at ").split(": ", 1)
        kind, _, key = stage_reason.partition(": ")
        words = _FINAL[locale].get(kind, stage_reason).format(key=key)
        passed = _FINAL[locale]["stage_failed"].format(stage=stage_name(stage, locale), reason=words)
    return passed, selection_line(result, policy, locale)
