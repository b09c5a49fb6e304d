"""The API's answers as marshmallow schemas: they dump the views' values and make the OpenAPI document.

Amounts are integer won; scores, ratios and KPI figures are decimal strings ("82.39", "0.4"), as
the scoring engine writes them, so no client reads them through a float; times are ISO 8601 in UTC.
"""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields as f


def _nullable(field_class, **kwargs):
    return field_class(allow_none=True, **kwargs)


class CallSummarySchema(ma.Schema):
    code = f.String(required=True, metadata={"description": "The call's code, its key in every address."})
    title = f.String(required=True)
    status = f.String(required=True, metadata={"description": "upcoming, open, closed, in_review, decided or announced"})
    status_label = f.String(required=True, metadata={"description": "The status as the portal shows it (Korean)."})
    programme = f.String(required=True)
    agency = _nullable(f.String, required=True)
    opens_at = f.DateTime(required=True)
    closes_at = f.DateTime(required=True)
    awards = f.Integer(required=True)


class CallSchema(CallSummarySchema):
    ministry = f.String(required=True)
    description_md = f.String(required=True, metadata={"description": "The announcement in Markdown."})
    per_award_cap = f.Integer(required=True, metadata={"description": "National funding per award, won."})
    total_cap = f.Integer(required=True, metadata={"description": "National funding in total, won."})
    first_year = f.Integer(required=True)
    last_year = f.Integer(required=True)
    min_local_ratio = f.String(required=True, metadata={"description": "Local matching at least this share of national."})
    final_score = f.String(required=True, metadata={"description": "last (the last stage's score) or weighted"})


class StageSchema(ma.Schema):
    position = f.Integer(required=True, metadata={"description": "0 is 요건검토 (screening); evaluation stages follow."})
    kind = f.String(required=True, metadata={"description": "requirements, written, presentation or site"})
    label = f.String(required=True)
    panel_size = _nullable(f.Integer, required=True)
    due_at = _nullable(f.DateTime, required=True)
    shortlist_rule = f.String(required=True, metadata={"description": "all, top (K) or multiple (K × awards)"})
    shortlist_value = f.Integer(required=True)
    weight = _nullable(f.String, required=True, metadata={"description": "Percent of the final score, if weighted."})


class ChangeSchema(ma.Schema):
    field = f.String(required=True)
    old = f.String(required=True)
    new = f.String(required=True)


class AmendmentSchema(ma.Schema):
    number = f.Integer(required=True, metadata={"description": "제N호, from 1"})
    reason = f.String(required=True)
    published_at = f.DateTime(required=True)
    changes = f.List(f.Nested(ChangeSchema), required=True)


class FaqEntrySchema(ma.Schema):
    position = f.Integer(required=True)
    question = f.String(required=True)
    answer = f.String(required=True)


class AnnouncedResultSchema(ma.Schema):
    rank = f.Integer(required=True)
    receipt_no = _nullable(f.String, required=True)
    lead_organisation = _nullable(f.String, required=True)
    consortium = f.String(required=True)
    site = _nullable(f.String, required=True)


class TokenSchema(ma.Schema):
    name = f.String(required=True)
    agency = f.String(required=True)
    programme = _nullable(f.String, required=True, metadata={"description": "None: every programme of the agency."})
    scopes = f.List(f.String(), required=True)
    expires_at = _nullable(f.DateTime, required=True)


class ProposalSchema(ma.Schema):
    id = f.Integer(required=True)
    receipt_no = _nullable(f.String, required=True)
    title = f.String(required=True)
    status = f.String(required=True, metadata={"description": "submitted or withdrawn"})
    submitted_at = _nullable(f.DateTime, required=True)
    consortium = f.String(required=True)
    lead_organisation = _nullable(f.String, required=True)
    site = _nullable(f.String, required=True)
    national_total = _nullable(f.Integer, required=True, metadata={"description": "National funding asked in the "
                                                                                  "last submitted version, won."})


class ScreeningSchema(ma.Schema):
    proposal_id = f.Integer(required=True)
    receipt_no = _nullable(f.String, required=True)
    status = f.String(required=True, metadata={"description": "pending, confirmed or rejected"})
    reason = f.String(required=True)
    decided_at = _nullable(f.DateTime, required=True)


class StageScoreSchema(ma.Schema):
    stage = f.Integer(required=True, metadata={"description": "The evaluation stage's position."})
    kind = f.String(required=True)
    proposal_id = f.Integer(required=True)
    receipt_no = _nullable(f.String, required=True)
    rank = f.Integer(required=True)
    total = f.String(required=True)
    passed = f.Boolean(required=True)
    reason = _nullable(f.String, required=True)
    advances = _nullable(f.Boolean, required=True, metadata={"description": "Goes on to the next stage."})
    confirmed = f.Boolean(required=True, metadata={"description": "The stage's shortlist was confirmed."})


class DecisionSchema(ma.Schema):
    proposal_id = f.Integer(required=True)
    receipt_no = _nullable(f.String, required=True)
    rank = f.Integer(required=True)
    total = f.String(required=True)
    passed = f.Boolean(required=True)
    selected = f.Boolean(required=True, metadata={"description": "The decision of record."})
    engine_selected = f.Boolean(required=True, metadata={"description": "What the scores gave."})
    override_reason = f.String(required=True)
    decided = f.Boolean(required=True)
    announced = f.Boolean(required=True)


class KpiSchema(ma.Schema):
    poc = f.String(required=True, metadata={"description": "The PoC's tenant firm."})
    name = f.String(required=True)
    unit = f.String(required=True)
    baseline = _nullable(f.String, required=True)
    target = _nullable(f.String, required=True)
    actual = _nullable(f.String, required=True, metadata={"description": "From accepted reports; null before any."})
    progress = _nullable(f.String, required=True, metadata={"description": "(actual − baseline) / (target − baseline)"})
    reached = f.Boolean(required=True)


class ProjectSchema(ma.Schema):
    id = f.Integer(required=True)
    proposal_id = f.Integer(required=True)
    receipt_no = _nullable(f.String, required=True)
    title = f.String(required=True)
    status = f.String(required=True)
    period_start = f.Date(required=True)
    period_end = f.Date(required=True)
    lead_organisation = _nullable(f.String, required=True)
    budget_planned = f.Integer(required=True, metadata={"description": "Won, every year and source."})
    budget_executed = f.Integer(required=True)
    execution_rate = _nullable(f.String, required=True)
    kpis = f.List(f.Nested(KpiSchema), required=True)
