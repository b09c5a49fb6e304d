"""The demo's marketplace: the 경남 산업 DX 융합얼라이언스 with its six research groups (연구회), its
coordinator, a dozen needs of demo tenant firms, eight capabilities of demo AI suppliers and two
task candidates. Loaded once: an alliance of that name means it is there.

The seed article names five fields (스마트기계, 디지털, 방산, 로봇, 우주·항공) for six groups; the
demo gives 스마트기계, the largest, two groups (공정 and 설비·에너지).
"""
from __future__ import annotations

from datetime import date

from app.extensions import db
from app.market import groups
from app.models.marketplace import Capability, Need, Visibility

ALLIANCE = "경남 산업 DX 융합얼라이언스"
COORDINATOR = "coordinator@demo.gongmo.kr"

ORGS = {
    "keti": ("한국전자기술연구원 동남권본부", "research_institute", "경남", "609829001"),
    "firm1": ("(주)마산사출", "tenant_company", "경남", "609819101"),
    "firm2": ("(주)거제방산기자재", "tenant_company", "경남", "609819202"),
    "firm3": ("(주)김해정밀가공", "tenant_company", "경남", "609819303"),
    "firm4": ("(주)사천항공부품", "tenant_company", "경남", "609819404"),
    "supplier1": ("(주)경남비전AI", "ai_supplier", "경남", "609879501"),
    "supplier2": ("(주)창원데이터랩", "ai_supplier", "경남", "609879602"),
    "supplier3": ("(주)동남로보틱스", "ai_supplier", "부산", "609879703"),
    "supplier4": ("(주)사천에어로소프트", "ai_supplier", "경남", "609879804"),
}
# email, name, organisation key, department, roles
ACCOUNTS = [
    (COORDINATOR, "문간사", "keti", "디지털전환협업지원센터", ()),
    ("firm1@demo.gongmo.kr", "강사출", "firm1", "생산기술팀", ("applicant",)),
    ("firm2@demo.gongmo.kr", "서용접", "firm2", "품질보증팀", ("applicant",)),
    ("firm3@demo.gongmo.kr", "임가공", "firm3", "설비보전팀", ("applicant",)),
    ("firm4@demo.gongmo.kr", "하항공", "firm4", "생산관리팀", ("applicant",)),
    ("supplier1@demo.gongmo.kr", "남비전", "supplier1", "사업개발팀", ("applicant",)),
    ("supplier2@demo.gongmo.kr", "노데이터", "supplier2", "솔루션사업부", ("applicant",)),
    ("supplier3@demo.gongmo.kr", "도로봇", "supplier3", "영업본부", ("applicant",)),
    ("supplier4@demo.gongmo.kr", "류에어로", "supplier4", "기술연구소", ("applicant",)),
]
# name, industry, member organisations
GROUPS = [
    ("스마트기계 공정 연구회", "스마트기계", ("firm1", "firm3", "supplier1", "supplier2")),
    ("스마트기계 설비·에너지 연구회", "스마트기계", ("firm3", "supplier2")),
    ("디지털 연구회", "디지털", ("firm3", "supplier2")),
    ("방산 연구회", "방산", ("firm2", "firm4", "supplier1", "supplier4")),
    ("로봇 연구회", "로봇", ("firm1", "firm2", "supplier3")),
    ("우주·항공 연구회", "우주·항공", ("firm4", "supplier4")),
]
A, P = Visibility.ALLIANCE, Visibility.PUBLIC
# key, firm, title, complex, industry, process, problem, data, budget (만원), start, visibility
NEEDS = [
    ("inject_defect", "firm1", "사출성형 불량 자동 검출", "창원", "스마트기계", "사출성형",
     "미성형·웰드라인·버 불량을 작업자가 육안으로 전수 검사해 야간조 불량 유출이 잦습니다.",
     "불량 이미지 약 3만 장, 사출기 공정 변수 로그 2년치", (5000, 15000), date(2026, 3, 1), P),
    ("mold_temp", "firm1", "사출 금형 온도 최적화", "창원", "스마트기계", "사출성형",
     "계절에 따라 금형 온도 조건을 수작업으로 바꾸며 사이클 타임이 흔들립니다.",
     "금형 온도·냉각수 센서 1분 단위 데이터", (3000, 8000), date(2026, 4, 1), A),
    ("weld_quality", "firm2", "용접 품질 자동 판정", "창원", "방산", "용접",
     "방산 구조물 용접 비드 검사를 숙련자에 의존하며 판정 편차가 큽니다.",
     "용접 전류·전압 로그, 비드 사진 5천 장", (10000, 30000), date(2026, 3, 1), A),
    ("weld_robot", "firm2", "용접 로봇 경로 자동 생성", "창원", "로봇", "용접",
     "다품종 소량 생산이라 로봇 티칭에 작업 시간의 30%가 듭니다.", "3D CAD 도면", (8000, 20000), None, P),
    ("cnc_pdm", "firm3", "CNC 설비 예지보전", "사천1·2", "스마트기계", "절삭가공",
     "주축 베어링 고장으로 연 4회 이상 라인이 멈춥니다.", "진동·전류 센서 6개월치, 고장 이력", (5000, 12000),
     date(2026, 5, 1), P),
    ("energy", "firm3", "공장 에너지 사용량 관리", "사천1·2", "디지털", "에너지 관리",
     "피크 전력 요금이 늘었지만 설비별 사용량을 모릅니다.", "한전 15분 검침 데이터", (2000, 5000), None, P),
    ("aero_surface", "firm4", "항공 부품 표면 결함 검사", "사천1·2", "우주·항공", "표면처리",
     "아노다이징 후 미세 결함을 현미경으로 찾는 데 시간이 많이 듭니다.", "결함 이미지 2천 장", (10000, 25000),
     date(2026, 6, 1), A),
    ("composite", "firm4", "복합재 적층 공정 모니터링", "사천1·2", "우주·항공", "복합재 성형",
     "오토클레이브 경화 조건 이탈을 사후에야 압니다.", "경화로 온도·압력 로그", (15000, 40000), None, A),
    ("logistics", "firm1", "공장 내 물류 자동화", "창원", "로봇", "물류",
     "공정 사이 반제품 운반에 지게차 3대와 인력 6명이 듭니다.", "물류 동선 도면", (20000, 50000), None, P),
    ("traceability", "firm2", "방산 부품 이력 추적", "창원", "방산", "조립",
     "부품 로트 이력을 종이로 관리해 추적에 며칠이 걸립니다.", "ERP 출하 기록", (3000, 6000), None, A),
    ("paint", "firm3", "도장 공정 품질 예측", "사천1·2", "디지털", "도장",
     "도막 두께 불량을 출하 검사에서야 발견합니다.", "도장 부스 온습도, 도막 측정값", (4000, 9000), None, P),
    ("ndt", "firm4", "비파괴검사 영상 판독", "사천1·2", "방산", "비파괴검사",
     "방사선 투과 영상 판독 인력이 부족합니다.", "RT 영상 1만 장, 판독 결과", (10000, 20000), date(2026, 7, 1), A),
]
# key, supplier, title, solutions, references, industries, regions, visibility
CAPABILITIES = [
    ("vision", "supplier1", "비전 AI 외관 검사", "딥러닝 외관 불량 검출, 소량 데이터 학습", "자동차 부품 3개사 적용",
     "스마트기계, 우주·항공", "경남, 부산", P),
    ("weld_ai", "supplier1", "용접 비드 판독 AI", "용접 비드 영상·전류 파형 기반 품질 판정", "조선 기자재 2개사",
     "방산, 스마트기계", "경남", A),
    ("pdm", "supplier2", "설비 예지보전 플랫폼", "진동·전류 센서 이상 감지, 잔여수명 예측", "공작기계 40대 운영",
     "스마트기계, 디지털", "경남, 울산", P),
    ("ems", "supplier2", "공장 에너지 관리 EMS", "설비별 전력 계측, 피크 예측과 제어", "산단 입주기업 12곳",
     "디지털", "경남", P),
    ("amr", "supplier3", "AMR 공정 물류 자동화", "자율주행 물류로봇, 공정 간 자동 반송", "전자부품 공장 2곳",
     "로봇, 스마트기계", "부산, 경남", P),
    ("olp", "supplier3", "용접 로봇 오프라인 프로그래밍", "CAD 기반 로봇 경로 자동 생성", "방산 구조물 용접 1개사",
     "로봇, 방산", "부산, 경남", A),
    ("twin", "supplier4", "복합재 공정 디지털트윈", "경화 공정 시뮬레이션과 실시간 이탈 경보", "항공 부품 1개사",
     "우주·항공", "경남", A),
    ("ndt_ai", "supplier4", "비파괴검사 영상 판독 AI", "RT·UT 영상 결함 후보 자동 표시", "방산 2개사 시범",
     "방산, 우주·항공", "경남", A),
]
# group, title, summary, needs, capabilities
TASKS = [
    ("스마트기계 공정 연구회", "사출·절삭 공정 AI 품질·설비 통합 실증",
     "사출 불량 검출과 CNC 예지보전을 한 데이터 플랫폼에서 실증합니다.", ("inject_defect", "cnc_pdm"), ("vision", "pdm")),
    ("방산 연구회", "방산 용접·비파괴검사 판독 AI",
     "용접 비드 판정과 RT 영상 판독을 묶어 방산 품질 검사 시간을 줄입니다.", ("weld_quality", "ndt"), ("weld_ai", "ndt_ai")),
]


def load(count, *, complexes: dict, make_org, make_account, admin) -> None:
    """Create the alliance and everything in it, unless an alliance of that name is there."""
    orgs = {key: make_org(*spec) for key, spec in ORGS.items()}
    users = {org: make_account(email, name, orgs[org], dept, roles) for email, name, org, dept, roles in ACCOUNTS}
    if groups.alliance_by_name(ALLIANCE) is not None:
        return
    alliance = groups.create_alliance(admin, ALLIANCE, "경남", "경남 지역 기업·대학·연구기관이 참여해 DX 과제를 발굴하는 얼라이언스 "
                                      "(산업 디지털 전환 협업지원센터 운영).")
    count("alliances")
    groups.join_alliance(admin, alliance, orgs["keti"])
    made = {}
    for name, industry, members in GROUPS:
        made[name] = group = groups.create_group(admin, alliance, name, industry, users["keti"])
        for key in members:
            groups.add_group_member(admin, group, orgs[key].brn)
        count("research_groups")
    needs, caps = {}, {}
    for key, firm, title, complex_name, industry, process, problem, data, (low, high), start, vis in NEEDS:
        needs[key] = Need(organisation_id=orgs[firm].id, created_by_id=users[firm].id, title=title,
                          complex_id=complexes[complex_name].id, region="경남", industry=industry, process=process,
                          problem=problem, data_available=data, budget_min=low * 10_000, budget_max=high * 10_000,
                          desired_start=start, visibility=vis, alliance_id=alliance.id if vis == A else None)
        db.session.add(needs[key])
        count("needs")
    for key, supplier, title, solutions, refs, industries, regions, vis in CAPABILITIES:
        caps[key] = Capability(organisation_id=orgs[supplier].id, created_by_id=users[supplier].id, title=title,
                               solutions=solutions, reference_sites=refs, industries=industries, regions=regions,
                               visibility=vis, alliance_id=alliance.id if vis == A else None)
        db.session.add(caps[key])
        count("capabilities")
    db.session.flush()
    for group_name, title, summary, need_keys, cap_keys in TASKS:
        groups.save_task(users["keti"], made[group_name], None, title=title, summary=summary,
                         need_ids=[needs[k].id for k in need_keys], capability_ids=[caps[k].id for k in cap_keys])
        count("task_candidates")
