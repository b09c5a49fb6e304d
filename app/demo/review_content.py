"""What the demo's review call (app/demo/review_call.py) is made of: three complete proposals
of different strength, the two consortia besides 창원's, and the reviewers' comments.

Organisation keys are those of ``demo.ORGANISATIONS``. Budgets are won per year and source,
the same every year of the call (2025–2028); each table meets the call's rules (national money
every year and at most 140억원, local money at least 40 % of it) and equals the sum of the
infrastructure items and PoC plans, as submission checks. The automatic criteria differ on
purpose: 창원 covers five infrastructure types with four PoC plans, 구미 four with three, 여수
three with two, and their private shares are about 22 %, 15 % and 12.5 %.
"""
from __future__ import annotations

from decimal import Decimal

EOK = 100_000_000

CONSORTIA = {
    "구미": {"name": "구미 AX 실증산단 컨소시엄", "members": [
        ("gumi", "local_government"), ("gumi_t1", "tenant_firm"), ("gumi_t2", "tenant_firm"),
        ("gumi_ai", "ai_supplier"), ("gumi_uni", "university")]},
    "여수": {"name": "여수 AX 실증산단 컨소시엄", "members": [
        ("yeosu", "local_government"), ("yeosu_t1", "tenant_firm"), ("yeosu_t2", "tenant_firm"),
        ("yeosu_ai", "ai_supplier"), ("yeosu_uni", "university")]},
}


def _kpi(name: str, unit: str, baseline: str, target: str) -> dict:
    return {"name": name, "unit": unit, "baseline": Decimal(baseline), "target": Decimal(target)}


def _poc(firm: str, budget: int, problem: str, solution: str, kpi: dict) -> dict:
    return {"tenant_firm": firm, "budget": budget, "problem": problem, "ai_solution": solution, "kpis": [kpi]}


# start / submit: days from today (the call opened 45 days ago and closed 5 days ago).
PROPOSALS = [
    {
        "complex": "창원", "romanised": "Changwon", "applicant": "applicant@demo.gongmo.kr", "start": -40, "submit": -8,
        "overview": {
            "title": "창원국가산단 제조 AX 실증산단 조성사업",
            "summary": ("기계·방산·자동차부품 입주기업의 공정 데이터를 모으는 제조 AI 오픈랩과 가상공장 실증플랫폼을 "
                        "구축하고, 선도공장 두 곳과 현장 PoC 네 건으로 불량 검출·예지보전·공정 최적화의 효과를 실증한다."),
            "strategic_industries": "기계, 방산, 자동차부품",
        },
        "infra": [
            {"type_key": "openlab", "budget": 60 * EOK,
             "description": "GPU 서버 16식과 공정 데이터 레이크를 갖춘 제조 AI 오픈랩을 창원산단 혁신지원센터에 구축"},
            {"type_key": "virtual_factory", "budget": 40 * EOK,
             "description": "정밀가공·조립 공정의 가상공장 실증플랫폼을 구축하여 공정 변경을 사전에 검증"},
            {"type_key": "lead_factory", "budget": 60 * EOK,
             "description": "정밀가공 라인 2곳을 AX 대표 선도공장으로 전환하고 공정 데이터를 표준화"},
            {"type_key": "private5g", "budget": 30 * EOK,
             "description": "특화망(5G)으로 설비 데이터를 무선 수집하고 자율이동로봇(AMR) 관제를 실증"},
            {"type_key": "digital_twin", "budget": 30 * EOK,
             "description": "산단의 에너지·물류 흐름을 디지털트윈으로 관리하는 산단관리 실증"},
        ],
        "poc": [
            _poc("(주)창원정밀기계", 8 * EOK, "가공 부품의 표면 불량을 육안으로 검사하여 검출률이 낮다.",
                 "비전 AI 기반 실시간 표면 불량 검출", _kpi("불량 유출률", "%", "3.2", "1.0")),
            _poc("(주)경남스마트부품", 8 * EOK, "주요 설비의 돌발 고장으로 생산이 자주 멈춘다.",
                 "진동·전류 데이터 기반 설비 예지보전", _kpi("비계획 정지시간", "시간/월", "42", "20")),
            _poc("(주)창원정밀기계", 8 * EOK, "가공 조건을 작업자 경험에 의존하여 사이클타임 편차가 크다.",
                 "강화학습 기반 가공 파라미터 최적화", _kpi("사이클타임", "초", "95", "80")),
            _poc("(주)경남스마트부품", 8 * EOK, "수주 변동을 예측하지 못해 재고가 쌓인다.",
                 "수요예측 AI와 연계한 생산계획 자동화", _kpi("재고일수", "일", "30", "18")),
        ],
        "master_plan": ("입주기업 AI 수요조사(312개사)와 기존 스마트공장 인프라 분석을 바탕으로 2028년까지 도입·확산·자립의 "
                        "3단계 AX 추진전략을 수립하고, 단계별 성과지표와 예산 계획을 제시한다."),
        "alliance": ("입주기업 40개사, AI 공급기업 8개사, 국립창원대학교와 한국기계연구원 경남센터가 참여하는 AX 얼라이언스를 "
                     "분과별로 운영하고 분기마다 성과공유회를 연다."),
        "aidc": "경남 지역 AI 데이터센터의 GPU 자원을 오픈랩과 연계하여 입주기업이 학습 자원을 공동 활용하게 한다.",
        "budget": {"national": 35 * EOK, "local": 14 * EOK, "private_cash": 10 * EOK, "private_inkind": 4 * EOK},
    },
    {
        "complex": "구미", "romanised": "Gumi", "applicant": "applicant2@demo.gongmo.kr", "start": -38, "submit": -11,
        "overview": {
            "title": "구미국가산단 전자부품 AX 실증산단 구축",
            "summary": ("전자부품·디스플레이 입주기업을 위한 제조 AI 오픈랩과 SaaS 기반 AI 서비스를 구축하고, "
                        "AX 종합지원센터를 통해 중소 입주기업의 AI 도입을 지원한다."),
            "strategic_industries": "전자부품, 디스플레이, 이차전지 소재",
        },
        "infra": [
            {"type_key": "openlab", "budget": 60 * EOK,
             "description": "전자부품 검사 데이터 학습용 GPU 클러스터와 시험 라인을 갖춘 제조 AI 오픈랩"},
            {"type_key": "lead_factory", "budget": 50 * EOK,
             "description": "SMT 라인 1곳을 AX 대표 선도공장으로 전환"},
            {"type_key": "saas", "budget": 32 * EOK,
             "description": "중소 입주기업이 구독해 쓰는 불량 분석·에너지 관리 SaaS 서비스"},
            {"type_key": "support_center", "budget": 40 * EOK,
             "description": "AI 도입 컨설팅과 인력 양성을 맡는 AX 종합지원센터"},
        ],
        "poc": [
            _poc("(주)구미전자부품", 6 * EOK, "SMT 공정의 납땜 불량 검사에 인력이 많이 든다.",
                 "AOI 영상 기반 납땜 불량 분류 AI", _kpi("불량률", "%", "1.8", "0.8")),
            _poc("(주)금오정밀", 6 * EOK, "금형 마모를 늦게 발견해 불량이 한꺼번에 생긴다.",
                 "금형 마모 예측 모델", _kpi("금형 수명", "회", "50000", "65000")),
            _poc("(주)구미전자부품", 6 * EOK, "라인별 전력 사용이 관리되지 않는다.",
                 "에너지 사용 최적화 AI", _kpi("전력 원단위", "kWh/개", "0.42", "0.35")),
        ],
        "master_plan": "입주기업 150개사의 AI 수요를 조사하여 2028년까지의 전자부품 AX 로드맵을 수립한다.",
        "alliance": "입주기업 25개사, AI 공급기업 5개사, 국립금오공과대학교가 참여하는 얼라이언스를 운영한다.",
        "aidc": "대구·경북 AI 데이터센터와 협약을 맺어 학습용 GPU를 확보한다.",
        "budget": {"national": 30 * EOK, "local": 1_250_000_000, "private_cash": 750_000_000},
    },
    {
        "complex": "여수", "romanised": "Yeosu", "applicant": "applicant3@demo.gongmo.kr", "start": -36, "submit": -6,
        "overview": {
            "title": "여수국가산단 석유화학 AX 실증산단 구축",
            "summary": "석유화학 공정의 안전과 에너지 효율을 높이는 디지털트윈과 제조 AI 오픈랩을 구축한다.",
            "strategic_industries": "석유화학, 정밀화학, 에너지",
        },
        "infra": [
            {"type_key": "openlab", "budget": 56 * EOK,
             "description": "공정 안전 데이터를 학습하는 제조 AI 오픈랩"},
            {"type_key": "digital_twin", "budget": 50 * EOK,
             "description": "배관망과 유틸리티를 디지털트윈으로 관리하는 산단관리 실증"},
            {"type_key": "private5g", "budget": 40 * EOK,
             "description": "방폭 구역의 특화망(5G) 센서 네트워크"},
        ],
        "poc": [
            _poc("(주)여수화학소재", 7 * EOK, "반응기 이상을 늦게 감지해 정지 손실이 크다.",
                 "공정 이상 조기 감지 AI", _kpi("이상 감지 소요시간", "분", "30", "5")),
            _poc("(주)광양만에너지", 7 * EOK, "배관 부식을 정기 점검에서만 확인한다.",
                 "배관 부식 예측 모델", _kpi("부식 예측 정확도", "%", "60", "85")),
        ],
        "master_plan": "석유화학 입주기업의 AI 수요와 안전 규제를 분석하여 단계별 AX 계획을 세운다.",
        "alliance": "입주기업 12개사, AI 공급기업 3개사, 전남대학교가 참여한다.",
        "aidc": "광주 AI 데이터센터의 GPU 자원을 활용한다.",
        "budget": {"national": 25 * EOK, "local": 10 * EOK, "private_cash": 250_000_000,
                   "private_inkind": 250_000_000},
    },
]

# Per proposal and review criterion, two comments: reviewers alternate between them.
SHEET_COMMENTS = {
    "창원": {
        "infra": ("다섯 가지 지원유형을 고르게 구성했고 장비 계획이 구체적임.",
                  "오픈랩과 가상공장의 연계가 잘 설계되었으나 특화망 활용 계획은 보완 필요."),
        "poc": ("입주기업 수요에 기반한 PoC 네 건의 성과지표가 명확함.", "PoC 확산 계획이 있으나 참여 기업 수를 늘릴 여지가 있음."),
        "plan": ("수요조사 규모가 크고 단계별 전략이 설득력 있음.", "마스터플랜의 재원 확보 방안이 다소 낙관적임."),
        "alliance": ("얼라이언스 참여 주체와 역할이 분명함.", "연구기관의 역할을 더 구체화할 필요가 있음."),
    },
    "구미": {
        "infra": ("SaaS와 종합지원센터로 중소기업 접근성을 고려함.", "인프라 유형이 네 가지로 다소 제한적임."),
        "poc": ("불량률 개선 목표가 현실적임.", "PoC 수가 적어 선도사례 확산 효과가 제한적임."),
        "plan": ("전자부품 특화 로드맵이 적절함.", "기존 인프라 분석이 간략함."),
        "alliance": ("대학과의 인력 양성 연계가 돋보임.", "AI 공급기업 참여가 적음."),
    },
    "여수": {
        "infra": ("공정 안전에 초점을 둔 디지털트윈 구성이 적절함.", "지원유형이 세 가지에 그쳐 포괄성이 낮음."),
        "poc": ("안전 관련 성과지표가 의미 있음.", "PoC가 두 건뿐이라 실증 범위가 좁음."),
        "plan": ("석유화학 특성을 반영한 계획임.", "단계별 목표와 예산의 연결이 약함."),
        "alliance": ("지역 대학과의 협력 의지가 확인됨.", "입주기업 참여 규모가 작음."),
    },
}

SHEET_OPINIONS = {
    "창원": ("인프라와 실증 계획이 고르게 우수하여 선정을 권고함.", "전반적으로 완성도가 높으며 특화망 활용 계획을 보완하면 좋겠음."),
    "구미": ("중소 입주기업 지원 체계가 잘 갖춰진 계획임.", "계획은 타당하나 실증 규모를 키울 필요가 있음."),
    "여수": ("공정 안전이라는 분명한 목표가 장점임.", "포괄성과 실증 규모를 보완해야 함."),
}
