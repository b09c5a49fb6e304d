"""What each organisation type is called, for forms, lists and messages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models.organisations import ORG_TYPES

ORG_TYPE_LABELS = {
    "metropolitan_government": _l("광역지방자치단체"),
    "local_government": _l("지방자치단체"),
    "public_agency": _l("공공기관"),
    "tenant_company": _l("입주기업"),
    "ai_supplier": _l("AI 솔루션 공급기업"),
    "university": _l("대학"),
    "research_institute": _l("연구기관"),
    "other": _l("기타"),
}


def label(org_type: str) -> str:
    return str(ORG_TYPE_LABELS.get(org_type, org_type))
