"""The demo's second programme: MSIT's 「디지털 혁신거점 조성지원 사업」, as configured data.

Where the AX call asks tenant-firm consortia for infrastructure, PoCs and a master plan, this one
asks 광역지자체 (only they may lead) for a site's growth strategy, its digital infrastructure and
anchor facilities, firm-tailored tasks, the density of the industries that need digital transformation
and the living conditions young digital talent looks for, and is scored on those. Nothing in the
code knows about it: every word of the programme is here, and ``app/demo/hub_loader.py`` loads it
through the same services an officer and an applicant use. Figures and wording follow MSIT's
announcement of the 2024 selection (shared/seeds/004): two sites, 63억원 of national money each
over three years, 9 metropolitan governments competing.
"""
from __future__ import annotations

from copy import deepcopy
from datetime import datetime
from decimal import Decimal

PROGRAMME = "디지털 혁신거점 조성지원 사업"
MINISTRY = "과학기술정보통신부"
CODE_PREFIX = "DIH-"  # the call is DIH-<year of the first project year>
TITLE = "{year}년 디지털 혁신거점 조성지원 사업 공모"
CONSORTIUM_SUFFIX = "디지털 혁신거점 컨소시엄"

# key: (name, type, region, first nine digits of the 사업자등록번호), made up like demo.ORGANISATIONS.
ORGANISATIONS = {
    "msit": (MINISTRY, "public_agency", "세종", "508832801"),
    "nipa": ("정보통신산업진흥원", "public_agency", "충북", "307822901"),
    "gyeongnam": ("경상남도", "metropolitan_government", "경남", "608833001"),
    "chungbuk": ("충청북도", "metropolitan_government", "충북", "301833101"),
    "cheongju": ("청주시", "local_government", "충북", "301833201"),
    "cbnu": ("충북대학교 산학협력단", "university", "충북", "301833301"),
    "cbist": ("충북과학기술혁신원", "research_institute", "충북", "301823401"),
    "ochang_chip": ("(주)오창반도체소재", "tenant_company", "충북", "301813501"),
    "cheongju_cloud": ("(주)청주클라우드랩", "ai_supplier", "충북", "301873601"),
    "gn_campus": ("경남창원산학융합원", "research_institute", "경남", "608823701"),
    "gn_meta": ("(주)경남메타버스랩", "ai_supplier", "경남", "609873801"),
}

# email, name, organisation key, department, roles. The programme's officer works at its agency:
# officers see the calls of their own agency's programmes (app/access.py).
ACCOUNTS = [
    ("hub-officer@demo.gongmo.kr", "임거점", "nipa", "디지털혁신거점팀", ("officer",)),
    ("hub-gyeongnam@demo.gongmo.kr", "하도윤", "gyeongnam", "디지털정책과", ("applicant",)),
    ("hub-chungbuk@demo.gongmo.kr", "연소영", "chungbuk", "디지털혁신과", ("applicant",)),
]
OFFICER = "hub-officer@demo.gongmo.kr"

# The candidate sites (name, region, designation year): nine provinces applied in 2024.
SITES = [
    ("오창 과학산업단지", "충북", None), ("경남 디지털 혁신밸리", "경남", None), ("대구 수성알파시티", "대구", None),
    ("광주 첨단3지구 인공지능 집적단지", "광주", None), ("대전 대덕 디지털 혁신지구", "대전", None),
    ("전북 혁신도시 디지털 융합지구", "전북", None), ("강원 춘천 데이터산업 융합지구", "강원", None),
]
SITE_LABEL = ("조성 입지", "Proposed site")
LEAD_ORG_TYPES = ["metropolitan_government"]

INFRA_TYPES = [
    ("anchor", "앵커시설 구축·리모델링", "Anchor facility: construction and remodelling"),
    ("shared_office", "공유오피스·입주공간", "Shared offices and tenant space"),
    ("cloud_gpu", "클라우드·GPU 인프라", "Cloud and GPU infrastructure"),
    ("matching_platform", "기업 매칭 플랫폼", "Firm matching platform"),
]

# The call's own pages of the proposal form; keys differ from the AX call's on purpose.
SECTIONS = [
    {"key": "strategy", "kind": "text", "label_ko": "특화 성장전략 및 거점 브랜드화",
     "label_en": "Growth strategy and site branding",
     "guide_ko": "입지의 특화 분야, 성장 단계별 목표와 거점의 브랜드화 방안을 적으십시오 (예: 대구 수성알파시티).",
     "guide_en": "The site's specialisation, its goals by stage and how the site becomes a brand."},
    {"key": "facilities", "kind": "items", "label_ko": "디지털 인프라·앵커시설 구축",
     "label_en": "Digital infrastructure and anchor facilities",
     "guide_ko": "앵커시설, 입주공간, 클라우드·GPU, 기업 매칭 플랫폼 등 집약적으로 구축할 인프라와 사업비를 적으십시오.",
     "guide_en": "The infrastructure to be concentrated on the site, each item with its budget."},
    {"key": "tasks", "kind": "plans", "label_ko": "기업 밀착형 과제", "label_en": "Firm-tailored tasks",
     "guide_ko": "거점 내 미래 앵커기업을 키우는 과제: 기업, 해결할 문제, 디지털 해결방안, 사업비와 성과지표를 적으십시오.",
     "guide_en": "Tasks that grow the site's future anchor firms: firm, problem, digital solution, budget and KPIs."},
    {"key": "demand", "kind": "text", "label_ko": "디지털 전환 수요산업 집적·연계",
     "label_en": "Digital-transformation demand industries: density and links",
     "guide_ko": "권역 내 디지털 전환 수요산업의 집적도와 성장세, 거점의 공급기업과 연결하는 방안을 적으십시오.",
     "guide_en": "How dense and growing the region's demand industries are, and how the site's suppliers reach them."},
    {"key": "talent", "kind": "text", "label_ko": "청년 디지털 인재 정주여건",
     "label_en": "Living conditions for young digital talent",
     "guide_ko": "교통, 주거, 문화·생활 인프라 등 청년 인재가 선호하는 정주여건과 개선 계획을 적으십시오.",
     "guide_en": "Transport, housing, culture and daily life near the site, and how they will improve."},
]

ATTACHMENT_KINDS = [
    ("plan", "사업계획서", "Project plan", True),
    ("site_status", "입지 및 앵커시설 현황 자료", "Site and anchor facility documentation", True),
    ("local_funding_letter", "지방비 확보 확약서", "Local-government funding commitment", True),
    ("partner_letters", "참여기관 참여의향서", "Participating organisations' letters of intent", False),
]

AWARDS = 2
PER_AWARD_CAP = 6_300_000_000  # 63억원 of national money per site, over the three years
TOTAL_CAP = AWARDS * PER_AWARD_CAP
YEARS = 3
MIN_LOCAL_RATIO = "0.5"

RUBRIC = {
    "criteria": [
        {"key": "growth", "label": "입지의 디지털 생태계 성장 잠재력", "label_en": "The site's potential to grow a digital ecosystem",
         "max_points": "25", "kind": "review",
         "description": "디지털 기업·인재 거점으로 성장할 잠재력, 특화 성장전략과 거점 브랜드화의 타당성"},
        {"key": "demand", "label": "디지털 전환 수요산업의 집적도 및 성장세",
         "label_en": "Density and growth of digital-transformation demand industries",
         "max_points": "20", "kind": "review",
         "description": "권역 내 수요산업의 규모·성장세와 거점 공급기업과의 협업 구조"},
        {"key": "living", "label": "청년 인재가 선호하는 정주여건", "label_en": "Living conditions young talent prefers",
         "max_points": "20", "kind": "review", "description": "교통 접근성, 주거·문화·생활 인프라, 청년 인재 유입·정주 방안"},
        {"key": "plan", "label": "추진계획의 구체성·실현가능성", "label_en": "Concreteness and feasibility of the plan",
         "max_points": "15", "kind": "review", "description": "인프라 구축과 기업 밀착형 과제의 일정·예산·성과지표"},
        {"key": "commitment", "label": "지자체 추진의지 및 재원 분담", "label_en": "Local commitment and cost sharing",
         "max_points": "10", "kind": "review", "description": "광역·기초 지자체의 추진체계, 지방비 확보와 사업 종료 후 운영 계획"},
        {"key": "infra_mix", "label": "디지털 인프라 구성", "label_en": "Mix of digital infrastructure",
         "max_points": "5", "kind": "auto",
         "rule": {"type": "coverage", "fact": "infrastructure_types", "target": 3, "required": ["anchor"]}},
        {"key": "task_count", "label": "완결된 기업 밀착형 과제 수", "label_en": "Complete firm-tailored tasks",
         "max_points": "5", "kind": "auto", "rule": {"type": "count", "fact": "complete_poc_plans", "target": 4}},
    ],
    "grades": {"S": "1", "A": "0.9", "B": "0.8", "C": "0.7", "D": "0.6"},
}

POLICY = {
    "trim_from": 5, "pass_mark": "70", "criterion_floor": "0.4", "awards": AWARDS, "one_per": "complex",
    "budget_cap": str(TOTAL_CAP), "tie_breaks": ["criterion:growth", "criterion:living", "submitted_at"], "decimals": 2,
}

# 요건검토 → 서면평가 (five reviewers, 2배수 go on) → 발표평가 on its own rubric; final 40 % + 60 %.
PRESENTATION_RUBRIC = {
    "criteria": [
        {"key": "vision", "label": "거점 조성 비전과 브랜드 전략", "label_en": "Vision and brand of the site",
         "max_points": "40", "kind": "review", "description": "거점이 지역 디지털 생태계의 중심이 되는 경로를 설득력 있게 제시하는가"},
        {"key": "delivery", "label": "지자체 추진체계와 재원 확보", "label_en": "Delivery and funding",
         "max_points": "30", "kind": "review", "description": "광역·기초 지자체와 참여기관의 역할, 지방비 확보가 확실한가"},
        {"key": "qa", "label": "질의응답", "label_en": "Questions and answers", "max_points": "30", "kind": "review",
         "description": "평가위원의 질문에 근거를 들어 정확하게 답변하는가"},
    ],
    "total_points": "100",
}
PRESENTATION_POLICY = {"trim_from": 5, "pass_mark": "70", "decimals": 2,
                       "tie_breaks": ["criterion:vision", "submitted_at"]}
FINAL_SCORE = "weighted"


def stages(review_due_at: datetime, presentation_due_at: datetime) -> list[dict]:
    """The procedure as ``app.calls.stages.set_stages`` takes it."""
    return [
        {"kind": "requirements"},
        {"kind": "written", "panel_size": 5, "due_at": review_due_at, "shortlist_rule": "multiple",
         "shortlist_value": 2, "weight": Decimal("40")},
        {"kind": "presentation", "panel_size": 5, "due_at": presentation_due_at, "weight": Decimal("60"),
         "rubric": deepcopy(PRESENTATION_RUBRIC), "policy": deepcopy(PRESENTATION_POLICY)},
    ]


def rubric() -> dict:
    return deepcopy(RUBRIC)


def policy() -> dict:
    return deepcopy(POLICY)


DESCRIPTION_MD = """\
## 사업 개요
과학기술정보통신부와 정보통신산업진흥원은 「지방 디지털 경쟁력 강화방안」에 따라 디지털 생태계로의 성장 잠재력을
갖춘 지역 내 최적입지 **2곳**을 선정하여, 디지털 기업과 인재 성장거점의 초기기반 구축을 위해 3년간 입지별 국비
**63억원**을 지원합니다.

## 지원 내용
지자체가 자율성을 갖고 다음을 추진합니다.
1. **특화 성장전략 수립 및 거점의 브랜드화** (예: 대구 수성알파시티)
2. **디지털 인프라의 집약적 구축**을 통한 앵커시설 기능강화: 앵커시설, 공유오피스·입주공간, 클라우드·GPU, 기업 매칭 플랫폼
3. 거점 내 미래 앵커기업 육성을 위한 **기업 밀착형 과제** 지원

## 신청 자격
광역지방자치단체(특별시·광역시·도)가 주관하는 컨소시엄. 입지별 1개 컨소시엄만 선정됩니다.

## 평가
입지의 디지털 생태계 성장 잠재력, 디지털 전환 수요산업의 집적도 및 성장세, 청년 인재가 선호하는 정주여건,
추진계획의 구체성·실현가능성, 지자체 추진의지와 재원 분담을 평가합니다.

## 매칭
지방비는 국비의 50% 이상을 부담해야 합니다.
"""

EOK = 100_000_000

# The two applicants' consortia, by lead organisation key: who applies, the site, the member
# organisations and their roles (demo.ORGANISATIONS keys work too: 창원시 and 국립창원대학교 join 경상남도).
CONSORTIA = {
    "chungbuk": {"applicant": "hub-chungbuk@demo.gongmo.kr", "site": "오창 과학산업단지",
                 "name": f"오창 {CONSORTIUM_SUFFIX}", "members": [
        ("cheongju", "local_government"), ("cbnu", "university"), ("cbist", "research_institute"),
        ("ochang_chip", "tenant_firm"), ("cheongju_cloud", "ai_supplier")]},
    "gyeongnam": {"applicant": "hub-gyeongnam@demo.gongmo.kr", "site": "경남 디지털 혁신밸리",
                  "name": f"경남 {CONSORTIUM_SUFFIX}", "members": [
        ("changwon", "local_government"), ("uni", "university"), ("gn_campus", "research_institute"),
        ("gn_meta", "ai_supplier")]},
}

# What each applicant has written. 충청북도's proposal is complete (the loader submits it);
# 경상남도's is half-written: two facilities, no tasks yet, two texts and two years of the budget to do.
PROPOSALS = {
    "chungbuk": {
        "complete": True,
        "overview": {
            "title": "오창 과학산업단지 디지털 혁신거점 조성사업",
            "summary": ("권역 내 연구개발 핵심거점인 오창 과학산업단지를 중심으로 AI반도체 등 IT제조기업의 연구개발센터를 "
                        "유치·집적하고, 반도체·이차전지 등 지역 특화 첨단산업에 클라우드·인공지능 기술을 공급하는 디지털 기업을 "
                        "유치·육성한다."),
            "strategic_industries": "AI반도체, 이차전지, 클라우드·인공지능",
        },
        "strategy": ("오창 과학산업단지를 '첨단 제조와 SW·AI가 만나는 R&D 거점'으로 브랜드화한다. 1단계(1~3년차)에는 IT제조기업 "
                     "연구개발센터와 디지털 기업의 입주를 유치하고, 2단계에는 2027년 준공 예정인 4세대 방사광가속기를 핵심 "
                     "인프라로 활용하여 AI반도체 부품·소재 기업을 육성하며, 수도권 SW·AI 기업 생태계와의 연계를 강화하여 첨단 "
                     "제조업과 SW·AI의 융합을 선도하는 디지털 생태계를 만든다."),
        "facilities": [
            {"type_key": "anchor", "budget": 28 * EOK,
             "description": "오창 디지털 혁신센터를 리모델링하여 기업 지원·교육·실증 기능을 모은 메인 앵커시설로 운영"},
            {"type_key": "shared_office", "budget": 14 * EOK,
             "description": "수도권 디지털 기업의 이전·유치를 위한 입주 설명회와 기업 입주공간(40실) 제공"},
            {"type_key": "cloud_gpu", "budget": 20 * EOK,
             "description": "입주기업이 함께 쓰는 클라우드·GPU 개발환경과 반도체 공정 데이터 저장소 구축"},
            {"type_key": "matching_platform", "budget": 16 * EOK,
             "description": ("거점 내 SW·AI 기업(공급자)과 인근 반도체·이차전지 등 첨단산업계(수요자) 간 디지털 전환 협업을 "
                             "촉진하는 기업 매칭 플랫폼 구축")},
        ],
        "tasks": [
            {"tenant_firm": "(주)오창반도체소재", "budget": 5 * EOK,
             "problem": "웨이퍼 소재 검사 데이터가 설비마다 흩어져 불량 원인 분석에 수일이 걸린다.",
             "ai_solution": "검사 데이터를 클라우드에 모아 AI로 불량 원인을 추적하는 분석 서비스 개발",
             "kpis": [{"name": "불량 원인 분석 시간", "unit": "시간", "baseline": Decimal("72"), "target": Decimal("8")}]},
            {"tenant_firm": "(주)청주클라우드랩", "budget": 4 * EOK,
             "problem": "이차전지 셀 제조사의 공정 로그를 실시간으로 처리할 클라우드 역량이 부족하다.",
             "ai_solution": "이차전지 공정 로그 실시간 수집·이상탐지 SaaS를 수요기업 2곳에 적용",
             "kpis": [{"name": "이상탐지 정확도", "unit": "%", "baseline": Decimal("81"), "target": Decimal("95")}]},
            {"tenant_firm": "(주)오창반도체소재", "budget": 4 * EOK,
             "problem": "AI반도체 시제품 설계 검증에 필요한 GPU 자원을 확보하지 못해 수도권 외주에 의존한다.",
             "ai_solution": "거점 GPU 인프라에서 설계 검증 자동화 파이프라인을 구축하고 지역 팹리스와 공동 활용",
             "kpis": [{"name": "설계 검증 기간", "unit": "일", "baseline": Decimal("30"), "target": Decimal("12")}]},
            {"tenant_firm": "(주)청주클라우드랩", "budget": 350_000_000,
             "problem": "거점에 입주한 디지털 기업과 지역 제조기업 사이의 협업 사례가 없다.",
             "ai_solution": "매칭 플랫폼으로 발굴한 제조 현장 과제 5건에 클라우드·AI 솔루션을 시범 공급",
             "kpis": [{"name": "공급·수요기업 협업 계약", "unit": "건", "baseline": Decimal("0"), "target": Decimal("5")}]},
        ],
        "demand": ("오창·오송과 청주 일반산업단지에 반도체·이차전지·바이오 기업이 밀집해 있고, 이차전지 생산과 반도체 투자가 "
                   "최근 5년간 꾸준히 늘었다. 수도권의 주요 첨단산업 거점(판교테크노밸리 등)과 1시간 거리로 인접해 있어, 거점의 "
                   "SW·AI 기업이 권역의 제조 수요기업과 수도권 생태계를 잇는다."),
        "talent": ("수도권과 1시간 거리이고 비교적 임대료가 싸다는 강점을 살려 청년 창업가와 개발자가 머물 수 있는 입주공간을 "
                   "제공하고, 오창 호수공원 일대의 주거·문화 시설과 청주 도심을 잇는 통근 셔틀을 운영한다."),
        # Won per year of the call, the same every year: 21억 national, 10.5억 local (50 %).
        "budget": {"national": 21 * EOK, "local": 1_050_000_000},
    },
    "gyeongnam": {
        "complete": False,
        "overview": {
            "title": "경남 디지털 혁신밸리 디지털 혁신거점 조성사업",
            "summary": ("창원 국가산단 인근 경남 디지털 혁신밸리에 디지털 기업과 인재를 고밀도로 집적하고 인공지능·메타버스 등 "
                        "기술을 공급하는 거점으로 조성하여, 지정 50주년을 맞은 창원 국가산단의 디지털 전환을 촉진한다."),
            "strategic_industries": "인공지능, 메타버스, 제조 디지털 전환",
        },
        "strategy": ("경남 디지털 혁신밸리를 동남권 제조 디지털 전환의 거점으로 브랜드화한다. 경남 디지털 혁신허브(산학융합원 "
                     "캠퍼스관 등)를 메인 앵커시설로 활용하고, 향후 지상 25층 규모의 경남 디지털 혁신타운을 건립하여 거점 내 "
                     "디지털 생태계의 랜드마크로 운영한다."),
        "facilities": [
            {"type_key": "anchor", "budget": 25 * EOK,
             "description": "경남 디지털 혁신허브(산학융합원 캠퍼스관)를 메인 앵커시설로 리모델링"},
            {"type_key": "shared_office", "budget": 12 * EOK,
             "description": "수도권 디지털 기업(R&D센터, 지사 등) 유치를 위한 임차료 100원 공유오피스 운영"},
        ],
        "tasks": [],
        "budget": {"national": 21 * EOK, "local": 1_050_000_000},
        "budget_years": 1,  # only the first year is filled in so far
    },
}
