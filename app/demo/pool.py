"""The demo reviewer pool (후보단): profiles for the demo reviewers and twenty-one candidates.

Enough people, spread over fields, sectors and regions, that the pool search, the
recommendations and an invitation round can be walked through on the day of installing:
candidates close to the AX call's themes (디지털트윈, 예지보전, 제조 AI …) and others far
from them, industry reviewers among academics, and three whose declared ties or sanction
exclude them from the 창원 proposal, so the officer sees each reason once.
Idempotent like the rest of the demo: a profile that exists is left as it is.
"""
from __future__ import annotations

from datetime import date
from typing import Callable

from sqlalchemy import select

from app.extensions import db
from app.models import Organisation, User
from app.models.pool import (
    ExpertiseCode, RecordKind, ReviewerExpertise, ReviewerProfile, ReviewerRecord, ReviewerRelative, Sanction,
)

# The demo reviewers' own profiles: email -> (position, career years, codes, keywords).
REVIEWERS = {
    "reviewer1@demo.gongmo.kr": ("교수", 18, ("0104", "0902"), "스마트팩토리, 공정최적화, 생산관리, 산업공학"),
    "reviewer2@demo.gongmo.kr": ("수석연구원", 15, ("0104", "0103"), "로봇자동화, 예지보전, 스마트제조, 설비진단"),
    "reviewer3@demo.gongmo.kr": ("회계사", 12, ("0905",), "사업비 정산, 재무타당성, 예산 검토"),
    "reviewer4@demo.gongmo.kr": ("교수", 20, ("0101", "0105"), "정밀가공, 기계설계, 부품 신뢰성"),
    "reviewer5@demo.gongmo.kr": ("책임연구원", 14, ("0301", "0306"), "제조AI, 디지털트윈, 비전검사, 산업데이터"),
    "reviewer6@demo.gongmo.kr": ("연구위원", 10, ("0904", "0905"), "산업단지 정책, 지역혁신, 스마트그린산단"),
    "reviewer7@demo.gongmo.kr": ("교수", 16, ("0303", "0301"), "산업데이터 플랫폼, 클라우드, AI 데이터센터"),
}

# Organisations the candidates come from: key -> (name, type, region, first nine digits of the BRN).
ORGANISATIONS = {
    "pool_kaist": ("한국과학기술원 산학협력단", "university", "대전", "314830101"),
    "pool_unist": ("울산과학기술원 산학협력단", "university", "울산", "610830201"),
    "pool_kitech": ("한국생산기술연구원 스마트제조연구부문", "research_institute", "충남", "312830301"),
    "pool_keri": ("한국전기연구원", "research_institute", "경남", "609830401"),
    "pool_kier": ("한국에너지기술연구원", "research_institute", "대전", "314830501"),
    "pool_lgcns": ("(주)누리스마트시스템", "ai_supplier", "서울", "220830601"),
    "pool_doosan": ("(주)대한정밀로보틱스", "tenant_company", "경남", "609830701"),
    "pool_posco": ("(주)동해소재", "tenant_company", "경북", "506830801"),
    "pool_data": ("(주)데이터온", "ai_supplier", "경기", "124830901"),
    "pool_consult": ("(주)산단경영컨설팅", "other", "서울", "211831001"),
}

# Candidates: (name, organisation key, department, position, career, codes, keywords, projects)
# where a project is (title, year, partner organisation keys from app/demo/demo.py or above).
CANDIDATES = [
    ("김디지", "pool_kaist", "산업및시스템공학과", "교수", 17, ("0306", "0301"),
     "디지털트윈, 가상공정, 시뮬레이션, 제조AI", [("디지털트윈 기반 공정 시뮬레이션", 2024, ())]),
    ("이예지", "pool_kitech", "지능화뿌리기술연구소", "수석연구원", 13, ("0104", "0205"),
     "예지보전, 설비진단, 진동센서, 스마트팩토리", [("뿌리산업 설비 예지보전 플랫폼", 2025, ())]),
    ("박비전", "pool_data", "AI사업본부", "이사", 11, ("0301", "0302"),
     "비전검사, 딥러닝, 불량검출, 제조AI", [("머신비전 불량검출 상용화", 2023, ())]),
    ("최로봇", "pool_doosan", "자동화기술팀", "부장", 19, ("0103", "0104"),
     "협동로봇, 로봇자동화, 물류자동화", [("협동로봇 셀 표준화", 2022, ())]),
    ("정에너", "pool_kier", "에너지효율연구단", "책임연구원", 15, ("0603", "0802"),
     "에너지관리, 탄소중립, 수요관리, FEMS", [("산단 에너지 자립 실증", 2024, ())]),
    ("강전력", "pool_keri", "전력망연구본부", "책임연구원", 16, ("0604", "0204"),
     "전력망, 에너지저장, 마이크로그리드", [("산업단지 마이크로그리드 실증", 2023, ())]),
    ("윤데이", "pool_lgcns", "스마트팩토리사업부", "상무", 21, ("0303", "0301"),
     "산업데이터 플랫폼, 클라우드, MES, 데이터 표준", [("제조데이터 표준 플랫폼 구축", 2025, ())]),
    ("한소재", "pool_posco", "기술연구소", "연구위원", 18, ("0106", "0107"),
     "금속재료, 소재 공정, 품질관리", [("고강도 소재 공정 개선", 2022, ())]),
    ("서울산", "pool_unist", "산업공학과", "교수", 12, ("0301", "0902"),
     "공정최적화, 강화학습, 제조AI, 스케줄링", [("강화학습 생산 스케줄링", 2024, ())]),
    ("문정책", "pool_consult", "산업정책본부", "수석컨설턴트", 14, ("0904", "0905"),
     "산업단지 정책, 지역혁신, 사업화 전략", [("산단 대개조 정책 연구", 2023, ())]),
    ("오화학", "pool_kitech", "청정공정연구부", "선임연구원", 9, ("0404", "0803"),
     "화학공정 안전, 공정안전관리, 산업안전", [("화학단지 안전관리 고도화", 2022, ())]),
    ("배물류", "pool_data", "물류AI팀", "팀장", 8, ("0903", "0301"),
     "물류자동화, 수요예측, 재고최적화", [("산단 공동물류 최적화", 2024, ())]),
    ("신보안", "pool_kaist", "정보보호대학원", "교수", 15, ("0307", "0304"),
     "산업보안, OT 보안, 5G 특화망", [("스마트공장 OT 보안 체계", 2023, ())]),
    ("유바이", "pool_unist", "바이오메디컬공학과", "교수", 11, ("0501", "0503"),
     "바이오의약, 디지털헬스케어", [("바이오 공정 데이터 분석", 2022, ())]),
    ("조조선", "pool_posco", "해양플랜트팀", "부장", 20, ("0702", "0704"),
     "조선 설계, 해양플랜트, 용접 자동화", [("조선 용접 자동화", 2021, ())]),
    ("임수소", "pool_kier", "수소연구단", "책임연구원", 13, ("0602", "0601"),
     "수소, 연료전지, 신재생에너지", [("산단 수소 공급망 설계", 2024, ())]),
    ("권센서", "pool_keri", "스마트센서연구센터", "선임연구원", 7, ("0205", "0305"),
     "사물인터넷, 센서 네트워크, 설비 모니터링", [("IoT 설비 모니터링 실증", 2025, ())]),
    ("황컨설", "pool_consult", "제조혁신팀", "이사", 16, ("0902", "0104"),
     "스마트팩토리 컨설팅, 공정혁신, 스마트그린산단", [("중소 제조 스마트화 컨설팅", 2024, ())]),
    # Three whom the 창원 proposal excludes: a joint project with a member, a relative at one, a sanction.
    ("장공동", "pool_kaist", "기계공학과", "교수", 14, ("0104", "0306"),
     "디지털트윈, 스마트팩토리, 정밀가공", [("정밀부품 디지털트윈 공동연구", 2025, ("tenant1",))]),
    ("남친족", "pool_kitech", "뿌리산업진흥센터", "수석연구원", 17, ("0104", "0103"),
     "예지보전, 로봇자동화, 스마트제조", [("뿌리기업 자동화 지원", 2023, ())]),
    ("백제재", "pool_data", "컨설팅본부", "전무", 22, ("0301", "0303"),
     "제조AI, 산업데이터, 디지털트윈", [("AI 품질예측 서비스", 2024, ())]),
]
RELATIVE = ("남친족", "김창원", "배우자", "changwon")  # candidate, relative, relation, organisation key
SANCTIONED = ("백제재", date(2025, 3, 3), "평가 관련 금품 수수로 평가위원 위촉 제한")


def email_of(index: int) -> str:
    return f"pool{index:02d}@demo.gongmo.kr"


def load(count: Callable[[str], None], *, orgs: dict[str, Organisation], users: dict[str, User],
         make_org: Callable[..., Organisation], make_account: Callable[..., User], officer: User) -> None:
    """Profiles for the demo reviewers and the candidates; ``make_org``/``make_account`` are the demo's own."""
    known = {c for c in db.session.scalars(select(ExpertiseCode.code))}
    if not known:  # the code list did not load (see the demo's notes): profiles without codes would mislead
        return
    orgs = dict(orgs) | {key: make_org(*spec) for key, spec in ORGANISATIONS.items()}
    for email, (position, career, codes, keywords) in REVIEWERS.items():
        user = users[email]
        _profile(count, user, user.organisation, user.department, position, career, codes, keywords, [], orgs, known)
    by_name = {}
    for index, (name, org_key, dept, position, career, codes, keywords, projects) in enumerate(CANDIDATES, 1):
        user = make_account(email_of(index), name, orgs[org_key], dept, ("reviewer",))
        by_name[name] = _profile(count, user, orgs[org_key], dept, position, career, codes, keywords, projects,
                                 orgs, known)
    who, relative, relation, org_key = RELATIVE
    profile = by_name[who]
    if profile is not None and not profile.relatives:
        profile.relatives.append(ReviewerRelative(name=relative, relation=relation, organisation_id=orgs[org_key].id))
    who, starts_on, reason = SANCTIONED
    profile = by_name[who]
    if profile is not None and db.session.scalar(select(Sanction.id).where(Sanction.user_id == profile.user_id)) is None:
        db.session.add(Sanction(user_id=profile.user_id, reason=reason, starts_on=starts_on,
                                ends_on=starts_on.replace(year=starts_on.year + 3), created_by_id=officer.id))
        count("sanctions")
    db.session.flush()


def _profile(count, user: User, org: Organisation | None, department: str, position: str, career: int,
             codes, keywords: str, projects, orgs: dict[str, Organisation], known: set[str]) -> ReviewerProfile | None:
    profile = db.session.scalar(select(ReviewerProfile).where(ReviewerProfile.user_id == user.id))
    if profile is not None:
        return profile
    profile = ReviewerProfile(
        user_id=user.id, organisation_id=org.id if org else None, department=department, position=position,
        org_type=org.type if org else "other", region=org.region if org else "", keywords=keywords,
        career_years=career, available=True)
    profile.expertise = [ReviewerExpertise(code=c) for c in codes if c in known]
    profile.records = [
        ReviewerRecord(kind=RecordKind.PROJECT, title=title, year=year,
                       organisation_ids=[orgs[k].id for k in partners],
                       organisations_text=", ".join(orgs[k].name for k in partners))
        for title, year, partners in projects]
    db.session.add(profile)
    db.session.flush()
    count("reviewer_profiles")
    return profile
