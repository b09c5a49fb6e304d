"""The demo data set: the 2025 AX call, its organisations, accounts and a half-written proposal,
a second call already in review (app/demo/review_call.py) and a third one awarded, whose
project is a year into its reports (app/demo/award.py); beside them, a second programme with its
own open call (MSIT's 디지털 혁신거점, app/demo/digital_hub.py, loaded by app/demo/hub_loader.py).

``load`` is idempotent. Every row is found by its natural key (사업자등록번호, e-mail,
call code, complex name, consortium name and lead) and created only when missing;
rows that exist are left as they are, so a demo someone has been clicking through
keeps its state, and the call keeps its dates however long ago it was loaded.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Call, Consortium, IndustrialComplex, Organisation, Programme, Proposal, User
from app.models.projects import Project
from app import audit
from app.core import clock
from app.demo import ax2025, award, hub_loader, review_call
from app.demo import pool as demo_pool
from app.demo import market as demo_market
from app.demo.stage_work import name_committee
from app.accounts import brn
from app.calls import call_admin, lifecycle, stages
from app.proposals import drafts
from app.review import expertise
from app.review import honorarium_service, stage_scope
from app.proposals import consortia as consortia_service
from app.accounts.passwords import hash_password

PASSWORD = "Gongmo-demo-2025!"
CALL_CODE = "AX-2025"
CALL_TITLE = "2025년 AX 실증산단 구축사업 수행기관 공모"
PROGRAMME = "AX 실증산단 구축사업"
MINISTRY = "산업통상자원부"
CONSORTIUM = "창원 AX 실증산단 컨소시엄"

# key: (name, type, region, first nine digits of the 사업자등록번호). The numbers are made up;
# the check digit is computed so they pass the same validation real ones do.
ORGANISATIONS = {
    "kicox": ("한국산업단지공단", "public_agency", "대구", "504820101"),
    # The programme's ministry by identity: its staff never review (app/review/conflict_rules.py).
    "motie": (MINISTRY, "public_agency", "세종", "508830102"),
    "gntp": ("경남테크노파크", "public_agency", "경남", "608820201"),
    "changwon": ("창원시", "local_government", "경남", "608830301"),
    "tenant1": ("(주)창원정밀기계", "tenant_company", "경남", "609810401"),
    "tenant2": ("(주)경남스마트부품", "tenant_company", "경남", "609810502"),
    "ai": ("(주)한빛AI솔루션", "ai_supplier", "서울", "220870601"),
    "uni": ("국립창원대학교", "university", "경남", "608830701"),
    "ri": ("한국기계연구원 경남센터", "research_institute", "경남", "314820801"),
    # Reviewers come from organisations outside the consortium, so none is excluded for a conflict.
    "rev_uni": ("부산대학교 산학협력단", "university", "부산", "621820901"),
    "rev_ri": ("한국생산기술연구원", "research_institute", "충남", "312821001"),
    "rev_other": ("한결회계법인", "other", "서울", "211871101"),
    "rev_cnu": ("충남대학교 산학협력단", "university", "대전", "305822401"),
    "rev_etri": ("한국전자통신연구원", "research_institute", "대전", "314822501"),
    "rev_assoc": ("(사)한국스마트제조협회", "other", "서울", "101822601"),
    "rev_postech": ("포항공과대학교 산학협력단", "university", "경북", "506822701"),
    # The two other consortia of the review call (app/demo/review_call.py).
    "gbtp": ("경북테크노파크", "public_agency", "경북", "515821201"),
    "gumi": ("구미시", "local_government", "경북", "513831301"),
    "gumi_t1": ("(주)구미전자부품", "tenant_company", "경북", "513811401"),
    "gumi_t2": ("(주)금오정밀", "tenant_company", "경북", "513811502"),
    "gumi_ai": ("(주)낙동AI랩", "ai_supplier", "대구", "504871601"),
    "gumi_uni": ("국립금오공과대학교", "university", "경북", "513831701"),
    "jntp": ("전남테크노파크", "public_agency", "전남", "416821801"),
    "yeosu": ("여수시", "local_government", "전남", "417831901"),
    "yeosu_t1": ("(주)여수화학소재", "tenant_company", "전남", "417812001"),
    "yeosu_t2": ("(주)광양만에너지", "tenant_company", "전남", "417812102"),
    "yeosu_ai": ("(주)남해데이터", "ai_supplier", "광주", "410872201"),
    "yeosu_uni": ("전남대학교 산학협력단", "university", "광주", "409832301"),
}

CONSORTIUM_MEMBERS = [
    ("changwon", "local_government"), ("tenant1", "tenant_firm"), ("tenant2", "tenant_firm"),
    ("ai", "ai_supplier"), ("uni", "university"), ("ri", "research_institute"),
]

# email, name, organisation key, department, roles
ACCOUNTS = [
    ("applicant@demo.gongmo.kr", "김지원", "gntp", "AX사업단", ("applicant",)),
    ("applicant2@demo.gongmo.kr", "박구미", "gbtp", "스마트산단팀", ("applicant",)),
    ("applicant3@demo.gongmo.kr", "조여수", "jntp", "디지털혁신본부", ("applicant",)),
    ("reviewer1@demo.gongmo.kr", "이평가", "rev_uni", "산업공학과", ("reviewer",)),
    ("reviewer2@demo.gongmo.kr", "박심사", "rev_ri", "스마트제조연구부문", ("reviewer",)),
    ("reviewer3@demo.gongmo.kr", "최검토", "rev_other", "경영자문본부", ("reviewer",)),
    ("reviewer4@demo.gongmo.kr", "정심의", "rev_cnu", "기계공학부", ("reviewer",)),
    ("reviewer5@demo.gongmo.kr", "한검증", "rev_etri", "지능형제조연구실", ("reviewer",)),
    ("reviewer6@demo.gongmo.kr", "윤자문", "rev_assoc", "정책연구팀", ("reviewer",)),
    ("reviewer7@demo.gongmo.kr", "강평정", "rev_postech", "산업경영공학과", ("reviewer",)),
    # The 심의위원회 of both demo calls (committee.py): outside experts, none of a consortium.
    ("committee1@demo.gongmo.kr", "오위원장", "rev_postech", "산업경영공학과", ()),
    ("committee2@demo.gongmo.kr", "신심의", "rev_etri", "디지털전환연구본부", ()),
    ("committee3@demo.gongmo.kr", "문자문", "rev_assoc", "산업정책실", ()),
    ("committee4@demo.gongmo.kr", "배위원", "rev_cnu", "산업공학과", ()),
    ("committee5@demo.gongmo.kr", "유위원", "rev_other", "공공부문본부", ()),
    ("officer@demo.gongmo.kr", "정담당", "kicox", "산업단지AX추진단", ("officer",)),
    # Pays the 평가수당: the only demo account that reads reviewers' bank details in full.
    ("finance@demo.gongmo.kr", "유재무", "kicox", "재무회계팀", ("finance",)),
    ("admin@demo.gongmo.kr", "관리자", "kicox", "정보화팀", ("admin",)),
]


@dataclass
class DemoResult:
    created: dict[str, int] = field(default_factory=dict)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # email, roles, organisation
    call: Call | None = None
    proposal: Proposal | None = None
    review_call: Call | None = None
    project: Project | None = None  # AX-2025-1's, signed and reporting (app/demo/award.py)
    hub_call: Call | None = None  # the second programme's call, open (app/demo/digital_hub.py)
    notes: list[str] = field(default_factory=list)  # what could not be loaded, and why

    def count(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created)


def call_window(now: datetime) -> dict[str, datetime]:
    """A 40-day window open today: from 09:00 KST nine days ago to 15:00 KST in 31 days."""
    today = clock.to_kst(now).date()
    opening_day = today - timedelta(days=9)
    closing_day = today + timedelta(days=31)
    info_day = opening_day + timedelta(days=3)

    def at(day, hour):
        return clock.kst(day.year, day.month, day.day, hour)

    closes_at = at(closing_day, 15)
    return {
        "opens_at": at(opening_day, 9),
        "closes_at": closes_at,
        "info_session_at": at(info_day, 14),
        "review_due_at": closes_at + timedelta(days=14),
    }


def load() -> DemoResult:
    """Create whatever part of the demo is missing. The caller commits."""
    now = clock.now()
    result = DemoResult()
    # The reviewer pool's code list (EXPERTISE_CODES_FILE), so profiles and the pool search work at once.
    codes = expertise.ensure_loaded()
    if codes is not None and codes.created:
        result.created["expertise_codes"] = codes.created
    orgs = {key: _organisation(result, *spec) for key, spec in ORGANISATIONS.items()}
    users = {email: _account(result, email, name, orgs[org], dept, roles)
             for email, name, org, dept, roles in ACCOUNTS}
    # The reviewer pool: the demo reviewers' profiles and candidates to recommend and invite.
    demo_pool.load(result.count, orgs=orgs, users=users, make_org=lambda *spec: _organisation(result, *spec),
                   make_account=lambda *spec: _account(result, *spec), officer=users["officer@demo.gongmo.kr"])
    complexes = _complexes(result)
    programme = _programme(result, orgs["kicox"], orgs["motie"])
    call = _call(result, programme, complexes, users["officer@demo.gongmo.kr"], now)
    applicant = users["applicant@demo.gongmo.kr"]
    consortium = _consortium(result, applicant, orgs)
    result.proposal = _proposal(result, call, consortium, applicant, complexes["창원"], orgs)
    result.call = call
    # A call awarded about seventeen months ago: its signed project a year into its reports (portfolio).
    result.project = award.load(result.count, result.notes.append, programme=programme, complexes=complexes,
                                orgs=orgs, users=users, changwon=consortium, password=PASSWORD,
                                make_account=lambda *spec: _account(result, *spec))
    # A second call, already in review, so the review and the results can be walked through today.
    result.review_call = review_call.load(result.count, result.notes.append, programme=programme,
                                          complexes=complexes, orgs=orgs, users=users, changwon=consortium)
    if result.review_call is not None:
        _honorarium_rate(result, result.review_call, users["officer@demo.gongmo.kr"])
    # Around the call: the 경남 alliance, its research groups, needs, capabilities and task candidates.
    demo_market.load(result.count, complexes=complexes, make_org=lambda *spec: _organisation(result, *spec),
                     make_account=lambda *spec: _account(result, *spec), admin=users["admin@demo.gongmo.kr"])
    # A second programme, MSIT's 디지털 혁신거점 (app/demo/digital_hub.py): its call is data, not code.
    hub = hub_loader.load(result.count, orgs=orgs, make_org=lambda *spec: _organisation(result, *spec),
                          make_account=lambda *spec: _account(result, *spec), now=now)
    result.hub_call = hub.call
    users.update(hub.users)
    result.accounts = [(u.email, ", ".join(sorted(u.roles)), u.organisation.name if u.organisation else "")
                       for u in users.values()]
    if result.changed:
        audit.record(users["admin@demo.gongmo.kr"], "demo.loaded", call, created=dict(sorted(result.created.items())))
    return result


def _organisation(result: DemoResult, name: str, type_: str, region: str, first_nine: str) -> Organisation:
    number = brn.with_check_digit(first_nine)
    org = db.session.scalar(select(Organisation).where(Organisation.brn == number))
    if org is None:
        org = Organisation(name=name, type=type_, region=region, brn=number)
        db.session.add(org)
        db.session.flush()
        result.count("organisations")
    return org


def _honorarium_rate(result: DemoResult, call: Call, officer: User) -> None:
    """AX-2025-R's 서면평가 pays 50,000원 a proposal: the officer confirms the counts, finance pays."""
    stage = stage_scope.first_stage(call)
    if honorarium_service.rate_of(stage) is None:
        # Like the rest of the replayed history, a moment before the demo was loaded.
        with clock.as_of(clock.now() - timedelta(minutes=1)):
            honorarium_service.set_rate(stage, officer, basis="proposal", amount_won=50_000)
        result.count("honorarium_rates")


def _account(result: DemoResult, email: str, name: str, org: Organisation, department: str, roles) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    existed = user is not None
    if user is None:
        # Hashing only for new accounts: an existing one keeps its password and sessions.
        # Demo addresses reach no mailbox: they count as verified.
        user = User(email=email, name=name, organisation=org, department=department,
                    password_hash=hash_password(PASSWORD), locale="ko", email_verified_at=clock.now())
        db.session.add(user)
        result.count("users")
    for role in roles:
        if not user.has_role(role):
            user.grant(role)
            if existed:
                result.count("roles_granted")
    db.session.flush()
    return user


def _complexes(result: DemoResult) -> dict[str, IndustrialComplex]:
    existing = {c.name: c for c in db.session.scalars(select(IndustrialComplex))}
    for name, region, year in ax2025.COMPLEXES + ax2025.INELIGIBLE_COMPLEXES:
        if name not in existing:
            existing[name] = IndustrialComplex(name=name, region=region, designated_year=year)
            db.session.add(existing[name])
            result.count("industrial_complexes")
    db.session.flush()
    return existing


def _programme(result: DemoResult, agency: Organisation, ministry: Organisation) -> Programme:
    programme = db.session.scalar(
        select(Programme).where(Programme.name == PROGRAMME, Programme.agency_id == agency.id)
    )
    if programme is None:
        programme = Programme(name=PROGRAMME, ministry=MINISTRY, agency=agency, ministry_org=ministry)
        db.session.add(programme)
        db.session.flush()
        result.count("programmes")
    elif programme.ministry_org_id is None:  # loaded before the ministry had an identity
        programme.ministry_org = ministry
        db.session.flush()
    return programme


def _call(result: DemoResult, programme: Programme, complexes: dict, officer: User, now: datetime) -> Call:
    call = db.session.scalar(select(Call).where(Call.code == CALL_CODE))
    if call is None:
        # Through the officer's own services, so the demo call passes the same checks a real one does.
        window = call_window(now)
        call = call_admin.create_call(officer, programme, {
            "code": CALL_CODE, "title": CALL_TITLE, "description_md": ax2025.DESCRIPTION_MD,
            **window,
            "awards": ax2025.AWARDS, "per_award_cap": ax2025.PER_AWARD_CAP, "total_cap": ax2025.TOTAL_CAP,
            "first_year": ax2025.FIRST_YEAR, "last_year": ax2025.LAST_YEAR,
            "min_local_ratio": Decimal(ax2025.MIN_LOCAL_RATIO), "reviewers_per_proposal": 5,
            # Only the 21 complexes designated by 2024 are eligible; the 2025 ones exist but are not listed.
            "complex_ids": [complexes[name].id for name, _region, _year in ax2025.COMPLEXES],
            "infra_types": ax2025.INFRA_TYPES,
            "attachment_kinds": ax2025.ATTACHMENT_KINDS,
            "sections": ax2025.SECTIONS, "site_label_ko": ax2025.SITE_LABEL[0], "site_label_en": ax2025.SITE_LABEL[1],
        }, rubric=ax2025.rubric(), policy=ax2025.policy())
        due = window["review_due_at"]
        stages.set_stages(call, officer, ax2025.stages(due, due + timedelta(days=14)), ax2025.FINAL_SCORE)
        name_committee(call, officer)
        lifecycle.publish(call, officer)
        db.session.flush()
        result.count("calls")
    return call


def _consortium(result: DemoResult, applicant: User, orgs: dict) -> Consortium:
    lead = orgs["gntp"]
    consortium = db.session.scalar(
        select(Consortium).where(Consortium.name == CONSORTIUM, Consortium.lead_org_id == lead.id)
    )
    if consortium is None:
        consortium = consortia_service.create(applicant, CONSORTIUM)
        result.count("consortia")
    members = consortium.member_org_ids()
    for key, role in CONSORTIUM_MEMBERS:
        if orgs[key].id not in members:
            member = consortia_service.add_member(consortium, applicant, orgs[key].brn, role)
            # Nobody of the demo's member organisations has an account to accept with: they agreed
            # off-line, so the demo's proposal can be submitted.
            member.confirmed_at = clock.now()
            result.count("consortium_members")
    db.session.flush()
    return consortium


def _proposal(result: DemoResult, call: Call, consortium: Consortium, applicant: User,
              complex_: IndustrialComplex, orgs: dict) -> Proposal | None:
    proposal = drafts.existing(call, consortium)
    if proposal is not None:
        return proposal  # whatever the demo user has written since stays
    if not call.is_open():
        return None  # the call has closed since it was loaded: a new draft could not be saved anyway
    # Half-filled on purpose: an overview, two infrastructure items, one PoC and two years of
    # budget, so the demo user has sections left to write and problems to see on submission.
    proposal = drafts.start(call, consortium, applicant, complex_.id)
    drafts.save_overview(proposal, applicant, {
        "title": "창원국가산단 AX 실증산단 구축사업",
        "summary": ("창원국가산단의 기계·방산·자동차부품 입주기업을 대상으로 제조 AI 오픈랩과 AX 대표 선도공장을 "
                    "구축하고, 현장 PoC로 불량 검출과 설비 예지보전의 AI 도입 효과를 실증한다."),
        "strategic_industries": "기계, 방산, 자동차부품",
    })
    drafts.replace_infra_items(proposal, applicant, [
        {"type_key": "openlab", "budget": 3_000_000_000,
         "description": "GPU 서버 8식과 데이터 저장소를 갖춘 제조 AI 오픈랩을 창원산단 혁신지원센터에 구축"},
        {"type_key": "lead_factory", "budget": 4_000_000_000,
         "description": "정밀가공 라인 1곳을 AX 대표 선도공장으로 전환하고 공정 데이터를 수집·표준화"},
    ])
    drafts.replace_poc_plans(proposal, applicant, [{
        "tenant_firm": orgs["tenant1"].name, "budget": 500_000_000,
        "problem": "가공 부품의 표면 불량을 작업자가 육안으로 검사하여 검출률이 낮고 편차가 크다.",
        "ai_solution": "비전 AI 기반 실시간 표면 불량 검출 시스템을 가공 라인 2곳에 적용",
        "kpis": [{"name": "불량 유출률", "unit": "%", "baseline": Decimal("3.2"), "target": Decimal("1.0")}],
    }])
    drafts.save_text_section(proposal, applicant, "master_plan",
                             "입주기업 AI 수요조사(300개사)를 바탕으로 2028년까지의 단계별 AX 추진전략을 수립한다.")
    eok = 100_000_000
    drafts.save_budget(proposal, applicant, {
        (2025, "national"): 20 * eok, (2025, "local"): 8 * eok, (2025, "private_cash"): 2 * eok,
        (2026, "national"): 40 * eok, (2026, "local"): 16 * eok,
    })
    db.session.flush()
    result.count("proposals")
    return proposal
