"""The reference programme: MOTIE's 2025 AX 실증산단 구축사업, as configured data.

Used by the demo loader and by tests; nothing else in the code knows about it.
Figures are from SPEC §1 and the public reporting in shared/seeds/.
"""
from __future__ import annotations

from copy import deepcopy
from datetime import datetime
from decimal import Decimal

# (name, region, designation year) of the 21 smart green complexes designated by 2024.
COMPLEXES = [
    ("반월시화", "경기", 2019), ("창원", "경남", 2019), ("인천남동", "인천", 2020), ("구미", "경북", 2020),
    ("여수", "전남", 2020), ("광주첨단", "광주", 2020), ("대구성서", "대구", 2020),
    ("울산미포", "울산", 2021), ("부산명지녹산", "부산", 2021), ("군산", "전북", 2021),
    ("포항", "경북", 2022), ("대전", "대전", 2022), ("대불", "전남", 2022), ("천안제3", "충남", 2022),
    ("청주", "충북", 2022),
    ("광양", "전남", 2023), ("신평장림", "부산", 2023), ("한국수출(인천)", "인천", 2023),
    ("춘천후평", "강원", 2024), ("사천1·2", "경남", 2024), ("전주1·2", "전북", 2024),
]
# Designated in 2025 and therefore not eligible for the 2025 call.
INELIGIBLE_COMPLEXES = [("아산부곡", "충남", 2025), ("충주제1", "충북", 2025), ("마산자유무역지역", "경남", 2025)]

INFRA_TYPES = [
    ("openlab", "제조 AI 오픈랩", "Manufacturing AI open lab"),
    ("virtual_factory", "AX 가상공장 실증플랫폼", "AX virtual-factory pilot platform"),
    ("lead_factory", "AX 대표 선도공장", "AX flagship lead factory"),
    ("private5g", "특화망(5G) 기반 제조 AI 실증", "Private 5G manufacturing AI pilot"),
    ("digital_twin", "디지털트윈 산단관리 실증", "Digital-twin complex management pilot"),
    ("saas", "SaaS 기반 제조 AI 서비스", "SaaS manufacturing AI services"),
    ("support_center", "AX 종합지원센터", "AX one-stop support centre"),
]

# The call's own pages of the proposal form, between the overview and the budget table.
SECTIONS = [
    {"key": "infra", "kind": "items", "label_ko": "AX 인프라 구축", "label_en": "AX infrastructure",
     "guide_ko": "지원유형별로 구축할 인프라의 내용과 사업비를 적으십시오.",
     "guide_en": "For each support type, what will be built and its budget."},
    {"key": "poc", "kind": "plans", "label_ko": "기업 AX 실증 (PoC)", "label_en": "Company AX proof of concept (PoC)",
     "guide_ko": "입주기업의 문제를 AI로 해결하는 실증 계획과 성과지표(기준값·목표값)를 적으십시오.",
     "guide_en": "Pilots that solve tenant firms' problems with AI, with KPIs (baseline and target)."},
    {"key": "master_plan", "kind": "text", "label_ko": "AX 중장기 마스터플랜", "label_en": "Mid- to long-term AX master plan",
     "guide_ko": "입주기업 AI 수요, 혁신 생태계, 기존 인프라 분석을 바탕으로 2028년까지의 계획을 적으십시오.",
     "guide_en": "The plan to 2028, from the tenant firms' AI demand, the ecosystem and existing infrastructure."},
    {"key": "alliance", "kind": "text", "label_ko": "AX 얼라이언스 구성·운영 계획",
     "label_en": "AX alliance: composition and operation",
     "guide_ko": "입주기업, AI 공급기업, 대학·연구기관의 참여와 역할, 운영 방식을 적으십시오.",
     "guide_en": "Which tenant firms, AI suppliers, universities and institutes take part, their roles, how it runs."},
    {"key": "aidc", "kind": "text", "label_ko": "지역 AI 데이터센터 연계 계획",
     "label_en": "Linkage with the regional AI data centre",
     "guide_ko": "지역 AI 데이터센터의 GPU·데이터 자원을 어떻게 활용하는지 적으십시오.",
     "guide_en": "How the regional AI data centre's GPUs and data are used."},
]
SITE_LABEL = ("대상 산업단지", "Target industrial complex")

ATTACHMENT_KINDS = [
    ("plan", "사업계획서", "Project plan", True),
    ("consortium_agreement", "컨소시엄 구성 협약서", "Consortium agreement", True),
    ("local_matching_letter", "지방비 부담 확약서", "Local-government matching commitment", True),
    ("private_matching_letter", "민간부담금 확약서", "Private matching commitment", False),
]

RUBRIC = {
    "criteria": [
        {"key": "infra", "label": "AX 인프라 구축 계획", "label_en": "AX infrastructure plan", "max_points": "30", "kind": "review",
         "description": "7개 지원유형의 구성 적정성, GPU·데이터·네트워크 장비 계획, 지역 AI 데이터센터 연계"},
        {"key": "poc", "label": "기업 AX 실증 계획", "label_en": "Company AX pilots", "max_points": "25", "kind": "review",
         "description": "입주기업 수요 기반 PoC, 선도사례 창출 가능성, 성과지표의 구체성"},
        {"key": "plan", "label": "AX 중장기 마스터플랜", "label_en": "Mid/long-term AX master plan", "max_points": "10", "kind": "review",
         "description": "입주기업 AI 수요, 혁신 생태계, 기존 인프라 분석"},
        {"key": "alliance", "label": "AX 얼라이언스 운영", "label_en": "AX alliance", "max_points": "10", "kind": "review",
         "description": "입주기업·AI 공급기업·대학·연구기관의 참여와 역할"},
        {"key": "cov", "label": "인프라 유형 포괄성", "label_en": "Coverage of infrastructure types", "max_points": "10", "kind": "auto",
         "rule": {"type": "coverage", "fact": "infrastructure_types", "target": 5, "required": ["openlab"]}},
        {"key": "pocs", "label": "완결된 PoC 계획 수", "label_en": "Complete PoC plans", "max_points": "10", "kind": "auto",
         "rule": {"type": "count", "fact": "complete_poc_plans", "target": 10}},
        {"key": "match", "label": "민간부담 비율", "label_en": "Private matching ratio", "max_points": "5", "kind": "auto",
         "rule": {"type": "steps", "fact": "private_matching_ratio", "steps": [["0.3", "1"], ["0.2", "0.6"], ["0.1", "0.3"]]}},
    ],
    "grades": {"S": "1", "A": "0.9", "B": "0.8", "C": "0.7", "D": "0.6"},
    "bonus_cap": "3",
}

POLICY = {
    "trim_from": 5, "pass_mark": "70", "criterion_floor": "0.4", "awards": 10, "one_per": "complex",
    "budget_cap": "140000000000", "tie_breaks": ["criterion:infra", "submitted_at"], "decimals": 2,
}

# The selection procedure (SPEC §6): 요건검토 → 서면평가 by five reviewers on RUBRIC (highest and
# lowest dropped) → the top 3배수 of those passing → 발표평가 by five reviewers on its own rubric;
# final score = 서면 30 % + 발표 70 %. The 심의위원회 that confirms the result (§6.7) is not
# configured yet, so it is left out of the procedure.
PRESENTATION_RUBRIC = {
    "criteria": [
        {"key": "strategy", "label": "발표 내용의 충실성", "label_en": "Substance of the presentation", "max_points": "40",
         "kind": "review", "description": "산단 AX 추진 전략, 인프라 구축과 기업 실증의 연계를 구체적으로 설명하는가"},
        {"key": "feasibility", "label": "실행 가능성", "label_en": "Feasibility", "max_points": "30", "kind": "review",
         "description": "컨소시엄 추진체계, 지방비·민간부담 확보, 일정과 예산이 실현 가능한가"},
        {"key": "qa", "label": "질의응답", "label_en": "Questions and answers", "max_points": "30", "kind": "review",
         "description": "평가위원의 질문에 근거를 들어 정확하게 답변하는가"},
    ],
    "total_points": "100",
}
PRESENTATION_POLICY = {"trim_from": 5, "pass_mark": "70", "decimals": 2, "tie_breaks": ["criterion:strategy", "submitted_at"]}
FINAL_SCORE = "weighted"


def stages(review_due_at: datetime, presentation_due_at: datetime) -> list[dict]:
    """The procedure as ``app.calls.stages.set_stages`` takes it (the first entry is 요건검토)."""
    return [
        {"kind": "requirements"},
        {"kind": "written", "panel_size": 5, "due_at": review_due_at, "shortlist_rule": "multiple",
         "shortlist_value": 3, "weight": Decimal("30")},
        {"kind": "presentation", "panel_size": 5, "due_at": presentation_due_at, "weight": Decimal("70"),
         "rubric": deepcopy(PRESENTATION_RUBRIC), "policy": deepcopy(PRESENTATION_POLICY)},
    ]


PER_AWARD_CAP = 14_000_000_000  # 140억원
TOTAL_CAP = 140_000_000_000  # 1,400억원
AWARDS = 10
FIRST_YEAR, LAST_YEAR = 2025, 2028
MIN_LOCAL_RATIO = "0.4"

DESCRIPTION_MD = """\
## 사업 개요
산업통상자원부와 한국산업단지공단은 스마트그린산단 중 **10개 산업단지**를 AX(인공지능 전환) 실증산단으로 선정하여
2028년까지 산단별 국비 **140억원**을 지원합니다.

## 지원 내용
1. **AX 인프라 구축**: 7개 지원유형(제조 AI 오픈랩, AX 가상공장 실증플랫폼, AX 대표 선도공장, 특화망(5G) 기반 제조 AI 실증,
   디지털트윈 산단관리 실증, SaaS 기반 제조 AI 서비스, AX 종합지원센터)
2. **기업 AX 실증지원**: 입주기업 현장 PoC와 선도사례 창출
3. **AX 중장기 마스터플랜** 수립
4. **AX 얼라이언스** 구성·운영

## 신청 자격
2024년까지 지정된 스마트그린산단(21개)의 수행기관 컨소시엄. 산단별 1개 컨소시엄만 선정됩니다.

## 매칭
지방비는 국비의 40% 이상을 부담해야 하며, 민간부담금은 현금 또는 현물로 부담할 수 있습니다.
"""


def rubric() -> dict:
    return deepcopy(RUBRIC)


def policy() -> dict:
    return deepcopy(POLICY)
