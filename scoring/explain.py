"""A plain-language account of how one proposal got its score, in Korean or English."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal
from typing import Literal

from .model import Policy, Result, Rubric
from .rules import CountRule, CoverageRule, StepsRule
from .values import DIVISION, round_half_up

Locale = Literal["ko", "en"]

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "no_sheets": "No review sheets were received, so the review score is 0.",
        "trimmed": (
            "{n} review sheets were received. With {trim_from} or more, the sheet with the highest total and "
            "then the one with the lowest are set aside: {high} (highest, {high_total}) and {low} (lowest, "
            "{low_total}). The review score averages the other {kept}."
        ),
        "tie": " {dropped} was set aside rather than {others} with the same total, as the smallest reviewer id goes first.",
        "untrimmed": (
            "{n} review sheet(s) were received, fewer than {trim_from}, so none was set aside and the review "
            "score averages all of them."
        ),
        "review": "{label}: mean {value} of {max} points.",
        "below_floor": " This is below its floor of {floor} ({pct}% of {max}).",
        "fact_missing": "{label}: {fact} was not given, so 0 of {max} points.",
        "coverage_required": "{label}: {fact} lacks the required {missing}, so 0 of {max} points.",
        "coverage": "{label}: {distinct} distinct {fact} against a target of {target}, so {value} of {max} points.",
        "count": "{label}: {fact} is {fact_value}, counted up to {target}, so {value} of {max} points.",
        "steps": "{label}: {fact} is {fact_value}, which reaches {threshold} (ratio {ratio}), so {value} of {max} points.",
        "steps_none": "{label}: {fact} is {fact_value}, below every threshold, so 0 of {max} points.",
        "bonus_capped": "Bonus: {claimed} claimed, capped at {bonus}.",
        "bonus": "Bonus: {bonus}.",
        "deduction": "Deduction: {deduction}.",
        "total": (
            "Total: {qualitative} (review) + {automatic} (automatic) + {bonus} (bonus) − {deduction} "
            "(deduction) = {exact}"
        ),
        "total_exact": ".",
        "total_rounded": ", rounded half-up to {decimals} decimal place(s) only at this last step: {total}.",
        "passed": "Passed: the total {total} reaches the pass mark {pass_mark}.",
        "passed_floor": (
            "Passed: the total {total} reaches the pass mark {pass_mark}, and every reviewed criterion reaches "
            "{pct}% of its points."
        ),
        "no reviews": "Not passed: there are no review sheets.",
        "below pass mark": "Not passed: the total {total} is below the pass mark {pass_mark}.",
        "below floor": "Not passed: {label} averages {value}, below its floor of {floor} ({pct}% of {max}).",
        "selected": "Rank {rank}: selected.",
        "not passed": "Rank {rank}: not selected, because it did not pass.",
        "awards filled": "Rank {rank}: not selected, because all {awards} award(s) went to higher-ranked proposals.",
        "one per": (
            "Rank {rank}: not selected, because {conflict}, with the same {field} ({group}), ranked higher and was "
            "selected; at most one per {field}."
        ),
        "budget cap": (
            "Rank {rank}: not selected, because its budget of {budget} won on top of the {spent} won already "
            "selected would pass the cap of {cap} won."
        ),
    },
    "ko": {
        "no_sheets": "제출된 평가표가 없어 정성평가 점수는 0점입니다.",
        "trimmed": (
            "평가표 {n}건이 제출되었습니다. {trim_from}건 이상이므로 총점이 가장 높은 평가표({high}, {high_total}점)와 "
            "나머지 중 가장 낮은 평가표({low}, {low_total}점)를 제외하고, 남은 {kept}건의 평균으로 정성평가 점수를 냈습니다."
        ),
        "tie": " 총점이 같은 {others}보다 평가위원 ID가 앞서는 {dropped}의 평가표를 제외했습니다.",
        "untrimmed": (
            "평가표 {n}건이 제출되어 {trim_from}건 미만이므로, 제외 없이 전체 평균으로 정성평가 점수를 냈습니다."
        ),
        "review": "{label}: 평균 {value}점 (배점 {max}점).",
        "below_floor": " 과락 기준 {floor}점(배점의 {pct}%)에 미달합니다.",
        "fact_missing": "{label}: {fact} 자료가 없어 0점 (배점 {max}점).",
        "coverage_required": "{label}: {fact}에 필수 항목 {missing}이(가) 없어 0점 (배점 {max}점).",
        "coverage": "{label}: {fact} 서로 다른 {distinct}개, 목표 {target}개 기준으로 {value}점 (배점 {max}점).",
        "count": "{label}: {fact} {fact_value}개, {target}개까지 인정하여 {value}점 (배점 {max}점).",
        "steps": "{label}: {fact} {fact_value}, 기준 {threshold} 이상 구간(배점의 {ratio}배)으로 {value}점 (배점 {max}점).",
        "steps_none": "{label}: {fact} {fact_value}, 모든 기준 미만으로 0점 (배점 {max}점).",
        "bonus_capped": "가점: {claimed}점 신청, 상한 {bonus}점 적용.",
        "bonus": "가점: {bonus}점.",
        "deduction": "감점: {deduction}점.",
        "total": "총점: 정성 {qualitative} + 정량 {automatic} + 가점 {bonus} − 감점 {deduction} = {exact}",
        "total_exact": "점.",
        "total_rounded": ", 마지막 단계에서만 소수점 {decimals}자리로 반올림하여 {total}점.",
        "passed": "통과: 총점 {total}점이 기준 {pass_mark}점 이상입니다.",
        "passed_floor": "통과: 총점 {total}점이 기준 {pass_mark}점 이상이고, 모든 정성평가 항목이 배점의 {pct}% 이상입니다.",
        "no reviews": "미통과: 제출된 평가표가 없습니다.",
        "below pass mark": "미통과: 총점 {total}점이 기준 {pass_mark}점 미만입니다.",
        "below floor": "미통과(과락): {label} 평균 {value}점이 기준 {floor}점(배점의 {pct}%) 미만입니다.",
        "selected": "순위 {rank}위: 선정되었습니다.",
        "not passed": "순위 {rank}위: 통과하지 못해 선정되지 않았습니다.",
        "awards filled": "순위 {rank}위: 선정 수 {awards}건이 상위 제안으로 모두 채워져 선정되지 않았습니다.",
        "one per": (
            "순위 {rank}위: 같은 {field}({group})의 상위 제안 {conflict}이(가) 이미 선정되어 선정되지 "
            "않았습니다({field}당 1건)."
        ),
        "budget cap": (
            "순위 {rank}위: 사업비 {budget}원을 더하면 이미 선정된 {spent}원과 합쳐 총액 한도 {cap}원을 넘어 "
            "선정되지 않았습니다."
        ),
    },
}


def _plain(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 0.4 × 100 → "40"."""
    return format(value.normalize(DIVISION), "f")


def explain(result: Result, rubric: Rubric, policy: Policy, locale: Locale = "ko") -> list[str]:
    """Sentences, in order, explaining ``result``: sheets set aside, criterion by criterion,
    bonus and deduction, total and its rounding, pass or fail, and the selection.
    """
    if locale not in _TEXT:
        raise ValueError(f"locale must be 'ko' or 'en', got {locale!r}")
    text = _TEXT[locale]
    score = result.score
    proposal = score.proposal
    decimals = policy.decimals

    def fig(value: Decimal) -> str:
        return str(round_half_up(value, decimals))

    lines = [_sheets_line(result, policy, text, fig)]
    for criterion in rubric.criteria:
        value = score.criteria[criterion.key]
        common = {"label": criterion.label, "max": _plain(criterion.max_points), "value": fig(value)}
        auto = score.auto.get(criterion.key)
        if auto is None:
            line = text["review"].format(**common)
            if policy.criterion_floor is not None and score.sheets:
                floor = policy.criterion_floor * criterion.max_points
                if value < floor:
                    line += text["below_floor"].format(floor=fig(floor), pct=_plain(policy.criterion_floor * 100), **common)
            lines.append(line)
            continue
        rule = criterion.rule
        facts = {"fact": auto.fact, "fact_value": auto.value}
        if auto.detail.get("missing"):
            lines.append(text["fact_missing"].format(**facts, **common))
        elif isinstance(rule, CoverageRule):
            missing = auto.detail["missing_required"]
            key = "coverage_required" if missing else "coverage"
            lines.append(
                text[key].format(
                    missing=", ".join(missing), distinct=auto.detail["distinct"], target=rule.target, **facts, **common
                )
            )
        elif isinstance(rule, CountRule):
            lines.append(text["count"].format(target=rule.target, **facts, **common))
        elif isinstance(rule, StepsRule):
            if "threshold" in auto.detail:
                lines.append(
                    text["steps"].format(
                        threshold=_plain(auto.detail["threshold"]), ratio=_plain(auto.detail["ratio"]), **facts, **common
                    )
                )
            else:
                lines.append(text["steps_none"].format(**facts, **common))

    if proposal.bonus > score.bonus:
        lines.append(text["bonus_capped"].format(claimed=fig(proposal.bonus), bonus=fig(score.bonus)))
    elif score.bonus:
        lines.append(text["bonus"].format(bonus=fig(score.bonus)))
    if proposal.deduction:
        lines.append(text["deduction"].format(deduction=fig(proposal.deduction)))

    line = text["total"].format(
        qualitative=fig(score.qualitative),
        automatic=fig(score.automatic),
        bonus=fig(score.bonus),
        deduction=fig(proposal.deduction),
        exact=_exact_text(score.total_exact, decimals),
    )
    if score.total_exact != score.total:
        line += text["total_rounded"].format(decimals=decimals, total=fig(score.total))
    else:
        line += text["total_exact"]
    lines.append(line)

    lines.append(_pass_line(result, rubric, policy, text, fig))
    lines.append(selection_line(result, policy, locale))
    return lines


def selection_line(result: Result, policy: Policy, locale: Locale = "ko") -> str:
    """The rank and the selection's verdict: selected, or the check that stopped it."""
    proposal = result.score.proposal
    return _TEXT[locale]["selected" if result.selected else result.skipped].format(
        rank=result.rank,
        awards=policy.awards,
        field=policy.one_per,
        group=proposal.fields.get(policy.one_per) if policy.one_per else None,
        conflict=result.conflict_with,
        budget=f"{proposal.budget:,}" if proposal.budget is not None else "",
        spent=f"{result.budget_before:,}",
        cap=f"{policy.budget_cap:,}" if policy.budget_cap is not None else "",
    )


def _exact_text(value: Decimal, decimals: int) -> str:
    """The unrounded total, cut a few places past the displayed ones, with "…" if cut."""
    places = Decimal(1).scaleb(-(decimals + 4))
    cut = value.quantize(places, rounding=ROUND_DOWN, context=DIVISION)
    if cut == value:
        return _plain(value) if value.as_tuple().exponent < -decimals else str(round_half_up(value, decimals))
    return f"{cut}…"


def _sheets_line(result: Result, policy: Policy, text: dict[str, str], fig: Callable[[Decimal], str]) -> str:
    sheets = result.score.sheets
    if not sheets:
        return text["no_sheets"]
    dropped = {s.dropped: s for s in sheets if s.dropped}
    if not dropped:
        return text["untrimmed"].format(n=len(sheets), trim_from=policy.trim_from)
    high, low = dropped["highest"], dropped["lowest"]
    line = text["trimmed"].format(
        n=len(sheets),
        trim_from=policy.trim_from,
        high=high.reviewer,
        high_total=fig(high.total),
        low=low.reviewer,
        low_total=fig(low.total),
        kept=len(sheets) - 2,
    )
    for chosen in (high, low):
        others = [s.reviewer for s in sheets if s is not chosen and s.total == chosen.total and s.dropped is None]
        if others:
            line += text["tie"].format(dropped=chosen.reviewer, others=", ".join(others))
    return line


def _pass_line(result: Result, rubric: Rubric, policy: Policy, text: dict[str, str], fig: Callable[[Decimal], str]) -> str:
    score = result.score
    reason = score.fail_reason
    figures = {"total": fig(score.total), "pass_mark": _plain(policy.pass_mark)}
    pct = _plain(policy.criterion_floor * 100) if policy.criterion_floor is not None else ""
    if reason is None:
        return text["passed_floor" if policy.criterion_floor is not None else "passed"].format(pct=pct, **figures)
    if reason.startswith("below criterion floor: "):
        criterion = rubric.criterion(reason.split(": ", 1)[1])
        return text["below floor"].format(
            label=criterion.label,
            value=fig(score.criteria[criterion.key]),
            floor=fig(policy.criterion_floor * criterion.max_points),
            pct=pct,
            max=_plain(criterion.max_points),
        )
    return text[reason].format(**figures)
