"""Benchmark of the expertise-matching engine: 10,000 reviewer profiles × 300 proposals, and
(``--market``) 10,000 suppliers' capabilities × 1,000 firms' needs.

Run from the repository root: ``python bench/matching_bench.py [--profiles N] [--proposals N]``,
or ``python bench/matching_bench.py --market [--capabilities N] [--needs N] [--runs N]``.
It generates (seeded) reviewer profiles — expertise keywords, recent project titles, career
and department — and AX-call proposals — title, summary, infrastructure types, PoC texts,
strategic industries — from Korean vocabularies, builds the pool once and recommends the
top 15 candidates (three times a panel of 5) for every proposal, excluding a few people per
proposal the way 제척 would. It reports the Kiwi model load, the pool build (from texts, and
from terms stored with the profiles), the total and per-proposal ranking time (Korean tokenisation of the proposal included) and the peak RSS.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.demo import ax2025  # noqa: E402
from app.demo.ax2025 import INFRA_TYPES  # noqa: E402
from app.matching import Pool, describe, nouns, tokenise  # noqa: E402

WEIGHTS = {"keywords": 3.0, "projects": 1.5, "career": 1.0, "department": 1.0}
TECHNOLOGIES = [
    "디지털트윈", "스마트팩토리", "예지보전", "머신비전", "협동로봇", "자율주행", "생성형 AI", "빅데이터",
    "엣지컴퓨팅", "공정최적화", "품질검사", "설비관리", "이상탐지", "수요예측", "MES", "ERP", "PLC", "5G",
    "특화망", "클라우드", "SaaS", "강화학습", "딥러닝", "컴퓨터비전", "자연어처리", "시계열 분석",
    "에너지관리", "탄소중립", "물류자동화", "AGV", "로봇 제어", "센서 네트워크", "IoT", "데이터플랫폼",
    "보안", "블록체인", "시뮬레이션", "CAE", "적층제조", "레이저 가공", "배터리 진단", "수소 연료전지",
]
INDUSTRIES = [
    "자동차 부품", "기계", "조선", "철강", "석유화학", "반도체", "디스플레이", "이차전지", "바이오",
    "의료기기", "방산", "우주항공", "섬유", "식품", "뿌리산업", "전자부품", "금형", "로봇", "정밀화학",
]
DEPARTMENTS = ["기계공학과", "산업공학과", "전자공학과", "컴퓨터공학과", "화학공학과", "스마트제조연구실",
               "AI융합연구센터", "생산기술연구소", "데이터사이언스학과", "경영학과"]
AFFILIATIONS = ["대학교", "연구원", "기업 부설연구소", "협회", "테크노파크"]
PROJECT_VERBS = ["구축", "고도화", "실증", "개발", "적용", "표준화"]
SENTENCES = [
    "입주기업의 {t1} 도입을 위해 {t2} 기반 {i} 공정 데이터를 수집·분석한다.",
    "{i} 분야 중소기업 대상 {t1} 실증과 {t2} 서비스 확산을 추진한다.",
    "{t1}을 활용한 {i} 생산라인의 {t2} 체계를 구축하여 불량률을 낮춘다.",
    "산단 내 {t1} 인프라와 {t2} 플랫폼을 연계해 {i} 기업의 AX 전환을 지원한다.",
]


def make_profiles(count: int, rng: random.Random) -> dict[int, dict]:
    profiles = {}
    for key in range(count):
        techs = rng.sample(TECHNOLOGIES, rng.randint(2, 6))
        industry = rng.choice(INDUSTRIES)
        projects = [f"{industry} {rng.choice(TECHNOLOGIES)} {rng.choice(PROJECT_VERBS)}" for _ in range(rng.randint(1, 4))]
        if rng.random() < 0.02:
            techs, projects = [], []  # profiles nobody filled in
        profiles[key] = {
            "keywords": techs,
            "projects": projects,
            "career": f"{rng.choice(AFFILIATIONS)} {rng.randint(5, 30)}년, {industry} {rng.choice(TECHNOLOGIES)} 자문",
            "department": rng.choice(DEPARTMENTS),
        }
    return profiles


def make_proposals(count: int, rng: random.Random) -> list[dict]:
    proposals = []
    for _ in range(count):
        industries = rng.sample(INDUSTRIES, 2)
        types = rng.sample(INFRA_TYPES, rng.randint(3, 6))
        pocs = []
        for _ in range(rng.randint(3, 6)):
            t1, t2 = rng.sample(TECHNOLOGIES, 2)
            pocs.append(rng.choice(SENTENCES).format(t1=t1, t2=t2, i=rng.choice(industries)))
        t1, t2 = rng.sample(TECHNOLOGIES, 2)
        proposals.append({
            "title": f"{industries[0]} 특화 {t1}·{t2} 기반 AX 실증산단 조성",
            "summary": " ".join(rng.sample(pocs, min(2, len(pocs)))),
            "types": ", ".join(title for _, title, _ in types),
            "pocs": "\n".join(pocs),
            "industries": ", ".join(industries),
        })
    return proposals


COMPLEX_REGIONS = [(name, region) for name, region, _ in ax2025.COMPLEXES]
PROCESSES = ["사출성형", "CNC 가공", "용접", "도장", "프레스", "열처리", "조립", "SMT 실장", "주조", "단조", "도금",
             "포장", "검사", "물류", "반응기 운전", "복합재 적층", "연마", "압출"]
PROBLEMS = [
    "{p} 공정의 외관 불량을 작업자가 육안으로 검출해 검사 누락이 잦습니다.",
    "{p} 설비가 예고 없이 고장 나 라인이 멈춥니다. {t}로 고장을 미리 알고 싶습니다.",
    "{p} 공정 조건을 숙련공의 경험에 의존해 품질 편차가 큽니다. {t} 도입을 검토합니다.",
    "{p} 라인의 에너지 사용량이 많고 생산계획을 엑셀로 세워 납기를 놓칩니다.",
    "{p} 데이터가 설비마다 흩어져 있어 {t} 기반 분석이 어렵습니다.",
]
DATA = ["검사 이미지 2만 장", "설비 진동·온도 센서 1년치", "MES 생산 실적", "PLC 로그", "작업 일지", ""]


def make_capabilities(count: int, rng: random.Random) -> list:
    """Suppliers' capabilities as the model holds them (objects with the ``Capability`` columns)."""
    from types import SimpleNamespace

    rows = []
    for key in range(count):
        techs = rng.sample(TECHNOLOGIES, rng.randint(2, 4))
        industries = rng.sample(INDUSTRIES, rng.randint(1, 3))
        place, region = rng.choice(COMPLEX_REGIONS)
        rows.append(SimpleNamespace(
            id=key, organisation_id=100_000 + key // 2, title=f"{techs[0]} 기반 {rng.choice(PROCESSES)} 솔루션",
            solutions=f"{', '.join(techs)}을 활용한 {rng.choice(PROCESSES)} {rng.choice(['품질검사', '공정최적화', '설비관리'])}",
            reference_sites=f"{place} {rng.choice(industries)} 기업 {rng.randint(1, 9)}곳 구축",
            industries=", ".join(industries), regions=", ".join({region, rng.choice(COMPLEX_REGIONS)[1]})))
    return rows


def make_needs(count: int, rng: random.Random) -> list:
    from types import SimpleNamespace

    rows = []
    for key in range(count):
        process, (place, region) = rng.choice(PROCESSES), rng.choice(COMPLEX_REGIONS)
        rows.append(SimpleNamespace(
            id=key, organisation_id=key, title=f"{process} {rng.choice(['불량 검출', '고장 예측', '공정 최적화', '에너지 절감'])}",
            region=region, industry=rng.choice(INDUSTRIES), process=process,
            problem=" ".join(rng.choice(PROBLEMS).format(p=process, t=rng.choice(TECHNOLOGIES)) for _ in range(2)),
            data_available=rng.choice(DATA), complex_name=place, complex_region=region))
    return rows


def market(args) -> None:
    """Every need ranked against every capability, as the need pages and the bench of issue 14 ask."""
    from app.market.matching import CAPABILITY_WEIGHTS, Matcher, capability_profile, need_profile

    rng = random.Random(args.seed)
    capabilities, needs = make_capabilities(args.capabilities, rng), make_needs(args.needs, rng)
    complexes = [name for name, _ in COMPLEX_REGIONS]
    started = time.perf_counter()
    nouns("디지털트윈")
    load = time.perf_counter() - started
    profiles = [capability_profile(c, complexes) for c in capabilities]
    queries = [need_profile(n, n.complex_name, n.complex_region) for n in needs]
    started = time.perf_counter()
    terms = tokenise({p.key: p.fields for p in profiles})
    tokenising = time.perf_counter() - started
    runs, builds, sample = [], [], None
    for _ in range(args.runs):
        started = time.perf_counter()
        matcher = Matcher(profiles, CAPABILITY_WEIGHTS, terms=terms)
        built = time.perf_counter()
        found = matcher.rank_many(queries, top=args.top)
        runs.append(time.perf_counter() - started)
        builds.append(built - started)
        sample = found[0]
    print(f"machine: nproc {os.cpu_count()}, {platform.python_implementation()} {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"{args.capabilities:,} capabilities, {len(matcher.pool._postings):,} distinct terms; {args.needs:,} needs, "
          f"top {args.top} each; {args.runs} runs")
    print(f"Kiwi model load: {load:.2f} s; tokenising the capabilities (kept per listing by the portal): {tokenising:.2f} s")
    print(f"index + boosts from stored terms: min {min(builds):.2f} s, median {statistics.median(builds):.2f} s")
    print(f"ranking all needs (index, Kiwi on each need, boosts, explanations): min {min(runs):.2f} s, "
          f"median {statistics.median(runs):.2f} s, max {max(runs):.2f} s (goal < 10 s)")
    print(f"peak RSS: {rss_mib():.0f} MiB")
    print("first need's top 3:", "; ".join(f"#{s.key} {s.score:.1f} ({' · '.join(v or k for k, v in s.reasons)})"
                                          for s in sample[:3]))


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--proposals", type=int, default=300)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--market", action="store_true", help="capabilities × needs instead")
    parser.add_argument("--capabilities", type=int, default=10_000)
    parser.add_argument("--needs", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.market:
        args.top = 10 if args.top == 15 else args.top
        return market(args)
    rng = random.Random(args.seed)
    profiles = make_profiles(args.profiles, rng)
    proposals = make_proposals(args.proposals, rng)
    rss_data = rss_mib()

    started = time.perf_counter()
    nouns("디지털트윈")  # load Kiwi's model, timed on its own
    load = time.perf_counter() - started
    rss_kiwi = rss_mib()

    started = time.perf_counter()
    pool = Pool.build(profiles, weights=WEIGHTS)
    build = time.perf_counter() - started
    stored = tokenise(profiles)
    started = time.perf_counter()
    Pool.from_terms(stored, weights=WEIGHTS)  # profiles whose terms were kept when saved
    from_terms = time.perf_counter() - started

    times, empty = [], 0
    started = time.perf_counter()
    for proposal in proposals:
        t = time.perf_counter()
        exclude = set(rng.sample(range(args.profiles), 5))  # the proposal's own people, say
        matches = pool.rank(proposal, top=args.top, exclude=exclude)
        times.append(time.perf_counter() - t)
        empty += len(matches) < args.top
    total = time.perf_counter() - started

    sample = pool.rank(proposals[0], top=3)
    print(f"machine: nproc {os.cpu_count()}, {platform.python_implementation()} {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"pool: {args.profiles:,} profiles, {len(pool._postings):,} distinct terms; "
          f"{args.proposals} proposals, top {args.top} each")
    print(f"Kiwi model load: {load:.2f} s")
    print(f"pool build (tokenise + index): {build:.2f} s; from stored terms (index only): {from_terms:.2f} s")
    print(f"ranking all proposals: {total:.3f} s (goal < 10 s) — "
          f"per proposal mean {statistics.mean(times) * 1000:.1f} ms, "
          f"p95 {statistics.quantiles(times, n=20)[-1] * 1000:.1f} ms, max {max(times) * 1000:.1f} ms")
    print(f"proposals with fewer than {args.top} candidates: {empty}")
    print(f"peak RSS: {rss_mib():.0f} MiB (generated data {rss_data:.0f} MiB, after Kiwi load {rss_kiwi:.0f} MiB)")
    print("first proposal's top 3:", "; ".join(f"#{m.key} {m.score:.2f} ({describe(m)})" for m in sample))


if __name__ == "__main__":
    main()
