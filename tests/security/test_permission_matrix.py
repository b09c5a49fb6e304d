"""Who reaches what: every URL rule of the app against every kind of user.

The table below is the portal's permission policy in one place. It is checked against
``app.url_map``: a new route that is not in the table fails the suite until someone
decides who may use it.

Every URL is filled with consortium X's objects (its proposal, attachment, version,
result, objection...) and the pledged reviewer's assignment. A refused request must
change nothing in the database and must not carry X's proposal title.

Outcomes:
  ok     2xx, or a redirect that is not to the login page
  login  redirect to /login (anonymous)
  deny   404 (an object the user may not see, whether it exists or not: app/web/loaders.py), or
         403 where ROLE_PAGES or SEEN_NOT_THEIRS below say so (a role's page without an object,
         or an action on an object the user sees but may not take)
  bad    400/409/422: the user may act, but an empty form is refused and nothing is saved
  token  401: the read API's token routes, which no session opens (a bearer token does)
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import url_for

from tests.security.conftest import (
    OTHER_TITLE,
    OWNER_TITLE,
    PERSONAS,
    UNVERIFIED_PERSONAS,
    changed_tables,
    table_digest,
)
from tests.support import sign_in

# Personas, in the order of every row:
#   anon: not logged in          other: applicant of consortium Y      owner: applicant of consortium X
#   pledged: X's reviewer, pledged no conflict    unasg: reviewer of Y only    recused: withdrew from X
#   oofc: officer of another agency     offc: the call's officer     admin
#
# GET rows are requested with GET; POST rows with an empty body.
#                                              anon   other  owner  pledg  unasg  recus  oofc   offc   admin
MATRIX: dict[str, dict[str, str]] = {
    "static":                       {"GET":  "ok     ok     ok     ok     ok     ok     ok     ok     ok"},
    # Probes for the load balancer: no login, no CSRF, no rate limit, nothing of anyone's.
    "health.healthz":               {"GET":  "ok     ok     ok     ok     ok     ok     ok     ok     ok"},
    "health.readyz":                {"GET":  "ok     ok     ok     ok     ok     ok     ok     ok     ok"},
    "set_locale":                   {"POST": "ok     ok     ok     ok     ok     ok     ok     ok     ok"},
    # --- main ---
    "main.index":                   {"GET":  "ok     ok     ok     ok     ok     ok     ok     ok     ok"},
    "main.notifications":           {"GET":  "login  ok     ok     ok     ok     ok     ok     ok     ok"},
    "main.mark_read":               {"POST": "login  ok     ok     ok     ok     ok     ok     ok     ok"},
    "main.mark_one_read":           {"POST": "login  deny   ok     deny   deny   deny   deny   deny   deny"},
    "main.toggle_subscription":     {"POST": "login  ok     ok     ok     ok     ok     ok     ok     ok"},
    "main.dev_mail":                {"GET":  "login  deny   deny   deny   deny   deny   deny   deny   ok"},
    "main.retry_mail":              {"POST": "login  deny   deny   deny   deny   deny   deny   deny   ok"},
    # --- after the award: agreements and projects ---
    # The agreement: the consortium and the call's officers read it; the world's is signed, so its
    # document (none issued) and signing answer with the agreement page, a signature is refused (409).
    "agreements.show":              {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    "agreements.document_download": {"GET": "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    "agreements.sign":              {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   bad    deny   deny   deny   deny   bad    bad"},
    # The lead submits the revised plan; the call's officers decide it, set the terms and issue.
    "agreements.submit_revision":   {"POST": "login  deny   bad    deny   deny   deny   deny   deny   deny"},
    "agreements.decide_revision":   {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "agreements.terms":             {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "agreements.issue":             {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.agreements":           {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    # X's agreement is open already: the form leads to it, a second opening is refused (409).
    "officer.agreement_open":       {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "projects.show":                {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    # Reports: the lead drafts (a post without its button is refused), the call's officers review; the
    # world's report is due, so accepting or returning it is refused with a message (409).
    "projects.report":              {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   bad    deny   deny   deny   deny   deny   deny"},
    "projects.report_accept":       {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "projects.report_return":       {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "projects.report_file":         {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    # The world's report was never submitted: there is no version 1 (nor its files) for anyone.
    "projects.report_version":      {"GET":  "login  deny   deny   deny   deny   deny   deny   deny   deny"},
    "projects.report_version_file": {"GET":  "login  deny   deny   deny   deny   deny   deny   deny   deny"},
    # Plan changes: the lead asks (an empty request is refused), the call's officers decide.
    "projects.change_new":          {"GET":  "login  deny   ok     deny   deny   deny   deny   deny   deny",
                                     "POST": "login  deny   bad    deny   deny   deny   deny   deny   deny"},
    "projects.change":              {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    "projects.change_decide":       {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    # Inspections: the call's officers record them and close their actions; the consortium reads.
    "projects.inspection_new":      {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "projects.inspection":          {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    "projects.action_done":         {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    # The programme's portfolio and its downloads: its agency's officers and admins.
    "projects.portfolio":           {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "projects.portfolio_xlsx":      {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "projects.portfolio_enara":     {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    # The programme's webhooks: its agency's officers and admins; an empty form is refused.
    "officer.webhooks_page":        {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.webhook_add":          {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.webhook_disable":      {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    # --- accounts ---
    "auth.login":                   {"GET":  "ok     ok     ok     ok     ok     ok     ok     ok     ok",
                                     "POST": "bad    bad    bad    bad    bad    bad    bad    bad    bad"},
    "auth.logout":                  {"POST": "ok     ok     ok     ok     ok     ok     ok     ok     ok"},
    "auth.register":                {"GET":  "ok     ok     ok     ok     ok     ok     ok     ok     ok",
                                     "POST": "bad    ok     ok     ok     ok     ok     ok     ok     ok"},
    "auth.reset_request":           {"GET":  "ok     ok     ok     ok     ok     ok     ok     ok     ok",
                                     "POST": "bad    bad    bad    bad    bad    bad    bad    bad    bad"},
    "auth.reset":                   {"GET":  "ok     ok     ok     ok     ok     ok     ok     ok     ok",
                                     "POST": "bad    bad    bad    bad    bad    bad    bad    bad    bad"},
    # The world's token is a reset token, no verification link: refused for everyone, nothing changes.
    "auth.verify_email":            {"GET":  "bad    bad    bad    bad    bad    bad    bad    bad    bad",
                                     "POST": "bad    bad    bad    bad    bad    bad    bad    bad    bad"},
    "auth.resend_verification":     {"GET":  "ok     ok     ok     ok     ok     ok     ok     ok     ok",
                                     "POST": "bad    bad    bad    bad    bad    bad    bad    bad    bad"},
    "auth.password":                {"GET":  "login  ok     ok     ok     ok     ok     ok     ok     ok",
                                     "POST": "login  bad    bad    bad    bad    bad    bad    bad    bad"},
    # No password step pending: back to the login form, whoever asks.
    "auth.login_code":              {"GET":  "login  login  login  login  login  login  login  login  login",
                                     "POST": "login  login  login  login  login  login  login  login  login"},
    # The second factor is offered to reviewers, officers and admins.
    "auth.totp_settings":           {"GET":  "login  deny   deny   ok     ok     ok     ok     ok     ok"},
    "auth.totp_start":              {"POST": "login  deny   deny   ok     ok     ok     ok     ok     ok"},
    "auth.totp_confirm":            {"POST": "login  deny   deny   ok     ok     ok     ok     ok     ok"},
    "auth.totp_disable":            {"POST": "login  deny   deny   ok     ok     ok     ok     ok     ok"},
    # Colleagues confirm who joined their organisation; only they (and admins) may decide.
    "auth.organisation":            {"GET":  "login  ok     ok     ok     ok     ok     ok     ok     ok"},
    "auth.organisation_decide":     {"POST": "login  deny   ok     deny   deny   deny   deny   deny   ok"},
    # --- administrator ---
    "admin.users":                  {"GET":  "login  deny   deny   deny   deny   deny   deny   deny   ok"},
    "admin.role":                   {"POST": "login  deny   deny   deny   deny   deny   deny   deny   ok"},
    "admin.active":                 {"POST": "login  deny   deny   deny   deny   deny   deny   deny   ok"},
    # --- public call pages ---
    "calls.index":                  {"GET":  "ok     ok     ok     ok     ok     ok     ok     ok     ok"},
    "calls.show":                   {"GET":  "ok     ok     ok     ok     ok     ok     ok     ok     ok"},
    # 사업 설명회: public like the call, slides too; registering needs an account (an empty form is
    # refused); withdrawing answers with the session page (X's lead withdraws, others are told they
    # hold no registration). The officer console: the call's officers (an empty form is refused).
    "calls.info_session":           {"GET":  "ok     ok     ok     ok     ok     ok     ok     ok     ok"},
    "calls.info_session_slides":    {"GET":  "ok     ok     ok     ok     ok     ok     ok     ok     ok"},
    "calls.info_session_register":  {"POST": "login  bad    bad    bad    bad    bad    bad    bad    bad"},
    "calls.info_session_withdraw":  {"POST": "login  ok     ok     ok     ok     ok     ok     ok     ok"},
    "officer.info_sessions_page":   {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.info_session_page":    {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.info_session_cancel":  {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.info_session_attendance": {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.info_session_slides_upload": {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    # The call's Q&A board is public like its page; asking (an empty question is refused) and
    # following need an account. The world's question is X's lead's private one: its asker and
    # the call's officers only, a 404 for everyone else.
    "calls.qa_board":               {"GET":  "ok     ok     ok     ok     ok     ok     ok     ok     ok"},
    "calls.qa_ask":                 {"POST": "login  bad    bad    bad    bad    bad    bad    bad    bad"},
    "calls.qa_question":            {"GET":  "deny   deny   ok     deny   deny   deny   deny   ok     ok"},
    "calls.follow":                 {"POST": "login  ok     ok     ok     ok     ok     ok     ok     ok"},
    # --- applicant area ---
    "proposals.start":              {"GET":  "login  ok     ok     deny   deny   deny   deny   deny   deny",
                                     "POST": "login  ok     ok     deny   deny   deny   deny   deny   deny"},
    "proposals.mine":               {"GET":  "login  ok     ok     deny   deny   deny   deny   deny   deny"},
    "proposals.consortia":          {"GET":  "login  ok     ok     deny   deny   deny   deny   deny   deny",
                                     "POST": "login  bad    bad    deny   deny   deny   deny   deny   deny"},
    "proposals.consortium":         {"GET":  "login  deny   ok     deny   deny   deny   deny   deny   deny",
                                     "POST": "login  deny   bad    deny   deny   deny   deny   deny   deny"},
    # X lists Y's organisation as a member: only Y's people answer; X's lead cannot answer for Y.
    "proposals.invitations":        {"GET":  "login  ok     ok     deny   deny   deny   deny   deny   deny"},
    "proposals.invitation_answer":  {"POST": "login  bad    deny   deny   deny   deny   deny   deny   deny"},
    "proposals.show":               {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    # The call is announced: the owner's write is answered "closed" (a redirect), nothing saved.
    "proposals.section":            {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   ok     deny   deny   deny   deny   deny   deny"},
    "proposals.attachments":        {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   ok     deny   deny   deny   deny   deny   deny"},
    "proposals.attachment_download": {"GET": "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    "proposals.objection_evidence_download": {"GET": "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    "proposals.attachment_delete":  {"POST": "login  deny   ok     deny   deny   deny   deny   deny   deny"},
    "proposals.challenges":         {"GET":  "login  deny   ok     deny   deny   deny   deny   deny   deny"},
    "proposals.challenge_file":     {"POST": "login  deny   bad    deny   deny   deny   deny   deny   deny"},
    "proposals.receipt":            {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    "proposals.versions":           {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    "proposals.version":            {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    "proposals.submit":             {"GET":  "login  deny   ok     deny   deny   deny   deny   deny   deny",
                                     "POST": "login  deny   ok     deny   deny   deny   deny   deny   deny"},
    "proposals.withdraw":           {"POST": "login  deny   ok     deny   deny   deny   deny   deny   deny"},
    "proposals.withdraw_confirm":   {"GET":  "login  deny   ok     deny   deny   deny   deny   deny   deny"},
    "proposals.version_pdf":        {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    "proposals.versions_diff":      {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    # The reviewer's copy of the submitted version's PDF: as review.proposal, after the pledge.
    "proposals.review_pdf":         {"GET":  "login  deny   deny   ok     deny   deny   deny   deny   deny"},
    "proposals.result":             {"GET":  "login  deny   ok     deny   deny   deny   deny   deny   deny",
                                     "POST": "login  deny   bad    deny   deny   deny   deny   deny   deny"},
    # 발표평가: X has no slot in this world; the page says so and a confirmation is refused with a message.
    "proposals.presentation_page":  {"GET":  "login  deny   ok     deny   deny   deny   deny   deny   deny",
                                     "POST": "login  deny   bad    deny   deny   deny   deny   deny   deny"},
    "proposals.presentation_confirm": {"POST": "login  deny   ok     deny   deny   deny   deny   deny   deny"},
    "proposals.presentation_slides": {"GET": "login  deny   deny   deny   deny   deny   deny   deny   deny"},
    # --- reviewer area (URLs carry the pledged reviewer's assignment) ---
    "review.index":                 {"GET":  "login  deny   deny   ok     ok     ok     deny   deny   deny"},
    "review.declare":               {"GET":  "login  deny   deny   ok     deny   deny   deny   deny   deny"},
    # Already pledged, sheet submitted: the assignment's own reviewer is refused too (wrong state).
    "review.pledge":                {"POST": "login  deny   deny   deny   deny   deny   deny   deny   deny"},
    "review.recuse":                {"POST": "login  deny   deny   deny   deny   deny   deny   deny   deny"},
    "review.proposal":              {"GET":  "login  deny   deny   ok     deny   deny   deny   deny   deny"},
    "review.attachment":            {"GET":  "login  deny   deny   ok     deny   deny   deny   deny   deny"},
    # A submitted sheet: the reviewer's save is answered with a redirect and a message.
    "review.sheet":                 {"GET":  "login  deny   deny   ok     deny   deny   deny   deny   deny",
                                     "POST": "login  deny   deny   ok     deny   deny   deny   deny   deny"},
    # The sheet's autosave (JSON): the sheet is submitted, so even its reviewer's draft is refused (409).
    "review.sheet_autosave":        {"POST": "login  deny   deny   bad    deny   deny   deny   deny   deny"},
    # 발표평가 schedules of the reviewer's stages (none here); the slot id names no row.
    "review.presentations":         {"GET":  "login  deny   deny   ok     ok     ok     deny   deny   deny"},
    "review.presentation_opinion":  {"POST": "login  deny   deny   deny   deny   deny   deny   deny   deny"},
    # The reviewer's own pool profile and bank details (no id: always their own); an empty form is refused.
    "review.profile":               {"GET":  "login  deny   deny   ok     ok     ok     deny   deny   deny"},
    "review.profile_save":          {"POST": "login  deny   deny   bad    bad    bad    deny   deny   deny"},
    "review.profile_bank":          {"POST": "login  deny   deny   bad    bad    bad    deny   deny   deny"},
    # --- the shared reviewer pool (후보단): officers of any agency and admins ---
    "officer.pool":                 {"GET":  "login  deny   deny   deny   deny   deny   ok     ok     ok"},
    "officer.pool_import_page":     {"GET":  "login  deny   deny   deny   deny   deny   ok     ok     ok"},
    "officer.pool_import_upload":   {"POST": "login  deny   deny   deny   deny   deny   bad    bad    bad"},
    "officer.pool_import_template": {"GET":  "login  deny   deny   deny   deny   deny   ok     ok     ok"},
    # The sanctions list (제재 명단) bars people from every agency's panels: officers of any agency and admins.
    "officer.sanctions_list":       {"GET":  "login  deny   deny   deny   deny   deny   ok     ok     ok"},
    "officer.sanction_add":         {"POST": "login  deny   deny   deny   deny   deny   bad    bad    bad"},
    "officer.sanction_lift":        {"POST": "login  deny   deny   deny   deny   deny   bad    bad    bad"},
    # API tokens: an officer manages the own agency's (an admin every agency's); empty forms are refused.
    "officer.api_tokens":           {"GET":  "login  deny   deny   deny   deny   deny   ok     ok     ok"},
    "officer.api_token_issue":      {"POST": "login  deny   deny   deny   deny   deny   bad    bad    bad"},
    "officer.api_token_revoke":     {"POST": "login  deny   deny   deny   deny   deny   bad    bad    bad"},
    # --- the read API (/api/v1/): public routes for everyone; the rest only with a bearer token, so a
    # signed-in session (any persona's) is a 401. tests/app/test_api.py holds the tokens' reach.
    "api-docs.openapi_json":        {"GET":  "ok     ok     ok     ok     ok     ok     ok     ok     ok"},
    **{f"api.{name}": {"GET":        "ok     ok     ok     ok     ok     ok     ok     ok     ok"}
       for name in ("calls", "call", "stages", "amendments", "faq", "results")},
    **{f"api.{name}": {"GET":        "token  token  token  token  token  token  token  token  token"}
       for name in ("token", "proposals", "proposal", "screening", "scores", "decisions", "projects")},
    # --- officer console ---
    "officer.index":                {"GET":  "login  deny   deny   deny   deny   deny   ok     ok     ok"},
    "officer.new_call":             {"GET":  "login  deny   deny   deny   deny   deny   ok     ok     ok",
                                     "POST": "login  deny   deny   deny   deny   deny   bad    bad    bad"},
    "officer.dashboard":            {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.edit_call":            {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    # Locked by the first submitted sheet: the save is answered with a redirect and a message.
    "officer.edit_rubric":          {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    # Frozen from publication (the world's call is announced): the save is answered with a redirect and a message.
    "officer.edit_sections":        {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    # Frozen by the first submission, like the rubric: the save is answered with a redirect and a message.
    "officer.edit_stages":          {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    # A later stage's rubric: the world's call has no stage at position 2, so even its officers get 404.
    "officer.edit_stage_rubric":    {"GET":  "login  deny   deny   deny   deny   deny   deny   deny   deny",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   deny   deny"},
    "officer.copy_call":            {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.step":                 {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    # Announced already: no step is next, so the confirmation page sends the officer back.
    "officer.step_confirm":         {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    # The announced call's only evaluation stage is its last: the page says so, the post is refused.
    "officer.stage_confirm":        {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.screening_list":       {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    # The submitted version's files, one by its sum or all of the call as a streamed ZIP.
    "officer.submitted_file":       {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.attachments_zip":      {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.screen_proposal":      {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.reviewers_pool":       {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.reviewers_invite":     {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    # The reviewer still has an assignment: refused with a message on the pool page.
    "officer.reviewers_remove":     {"POST": "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.assignments":          {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.assignments_auto":     {"POST": "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.assignments_manual":   {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.assignment_remove":    {"POST": "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.assignment_due":       {"POST": "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.sheet_view":           {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.sheet_reopen":         {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.challenges":           {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.challenge_decide":     {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    # Building a stage's panel: the world's stage is settled, so asking again is answered with a message.
    "officer.panel":                {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.panel_recommend":      {"POST": "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.panel_recruit":        {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    # An invitation's page needs its link's token, never a login; the world's token (a reset link) is none.
    "review.invitation":            {"GET":  "deny   deny   deny   deny   deny   deny   deny   deny   deny"},
    "review.invitation_accept":     {"POST": "deny   deny   deny   deny   deny   deny   deny   deny   deny"},
    "review.invitation_decline":    {"POST": "deny   deny   deny   deny   deny   deny   deny   deny   deny"},
    "officer.ranking":              {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.compute_results":      {"POST": "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.leave_out_sheet":      {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.result_detail":        {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    # 심의위원회: the world's call is announced, so every change is refused (an empty form first);
    # opening a meeting is a button, refused with a message on the page.
    "officer.committee":            {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.committee_member_add": {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.committee_member_remove": {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.committee_schedule":   {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.committee_open":       {"POST": "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.committee_attendance": {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.committee_votes":      {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.committee_close":      {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    # The world's call held no meeting: there are no minutes to download, for anyone.
    "officer.committee_minutes_download": {"GET": "login  deny   deny   deny   deny   deny   deny   deny   deny"},
    "officer.objections_list":      {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.objection":            {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    # The world's objection is not answered yet: opening or applying a re-evaluation is refused.
    "officer.objection_reevaluation": {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.objection_reevaluation_apply": {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    # The Q&A board's officer side: an empty answer, promotion or FAQ button is refused, nothing saved.
    "officer.qa_list":              {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.qa_answer":            {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.qa_promote":           {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.faq_move":             {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.faq_remove":           {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.exports_index":        {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    # Asking for a file starts a job (done at once without a worker: a redirect to its download).
    "officer.export":               {"POST": "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    # A job's page and file: the person who started it only (X's lead's finished export).
    "jobs.show":                    {"GET":  "login  deny   ok     deny   deny   deny   deny   deny   deny"},
    "jobs.download":                {"GET":  "login  deny   ok     deny   deny   deny   deny   deny   deny"},
    "officer.audit":                {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    # 발표평가: the world's call has no presentation stage (its index says so); stage and slot ids name no row.
    "officer.presentation_index":   {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.presentation":         {"GET":  "login  deny   deny   deny   deny   deny   deny   deny   deny",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   deny   deny"},
    "officer.presentation_generate": {"POST": "login  deny   deny   deny   deny   deny   deny   deny   deny"},
    "officer.presentation_publish": {"POST": "login  deny   deny   deny   deny   deny   deny   deny   deny"},
    "officer.presentation_attendance": {"POST": "login  deny   deny   deny   deny   deny   deny   deny   deny"},
    "officer.presentation_slides":  {"GET":  "login  deny   deny   deny   deny   deny   deny   deny   deny"},
    # 평가수당: the call's officers set rates and attendance (an empty form is refused, nothing saved).
    "officer.honoraria":            {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "officer.honoraria_rate":       {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "officer.honoraria_attendance": {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    # A reviewer's own statements; nothing is paid in the world's call, so its statement is nobody's.
    "review.honoraria_list":        {"GET":  "login  deny   deny   ok     ok     ok     deny   deny   deny"},
    "review.honorarium_statement":  {"GET":  "login  deny   deny   deny   deny   deny   deny   deny   deny"},
    # --- finance (재무): no persona holds the role (tests/app/test_honorarium_statements.py covers it);
    # the call's officers read the batch (accounts masked) but only finance or an admin closes it.
    "finance.index":                {"GET":  "login  deny   deny   deny   deny   deny   deny   deny   ok"},
    "finance.call":                 {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "finance.close":                {"POST": "login  deny   deny   deny   deny   deny   deny   deny   bad"},
    "finance.batch_xlsx":           {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    # --- around the call: needs, capabilities, alliances (tests/app/market_builders.py market_world) ---
    # X's lead organisation is in the alliance, whose group the call's officer coordinates; its need and
    # capability are alliance-only. Lists are for everyone signed in; publishing a need is for an
    # applicant acting for an organisation, a capability for an AI supplier's (nobody in the world).
    "market.needs":                 {"GET":  "login  ok     ok     ok     ok     ok     ok     ok     ok"},
    "market.capabilities":          {"GET":  "login  ok     ok     ok     ok     ok     ok     ok     ok"},
    "market.need_new":              {"GET":  "login  ok     ok     deny   deny   deny   deny   deny   deny",
                                     "POST": "login  bad    bad    deny   deny   deny   deny   deny   deny"},
    "market.capability_new":        {"GET":  "login  deny   deny   deny   deny   deny   deny   deny   deny",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   deny   deny"},
    "market.need":                  {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    "market.capability":            {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    "market.need_edit":             {"GET":  "login  deny   ok     deny   deny   deny   deny   deny   deny",
                                     "POST": "login  deny   bad    deny   deny   deny   deny   deny   deny"},
    "market.capability_edit":       {"GET":  "login  deny   ok     deny   deny   deny   deny   deny   deny",
                                     "POST": "login  deny   bad    deny   deny   deny   deny   deny   deny"},
    "market.need_state":            {"POST": "login  deny   bad    deny   deny   deny   deny   deny   deny"},
    "market.capability_state":      {"POST": "login  deny   bad    deny   deny   deny   deny   deny   deny"},
    "market.alliances":             {"GET":  "login  ok     ok     ok     ok     ok     ok     ok     ok"},
    "market.alliance":              {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    "market.alliance_member_add":   {"POST": "login  deny   deny   deny   deny   deny   deny   deny   bad"},
    "market.alliance_tasks_xlsx":   {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    "market.survey_import":         {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "market.survey_template":       {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "market.group":                 {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    "market.group_member_add":      {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "market.group_member_remove":   {"POST": "login  deny   deny   deny   deny   deny   deny   ok     ok"},
    "market.group_tasks_xlsx":      {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    "market.task_new":              {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "market.task":                  {"GET":  "login  deny   ok     deny   deny   deny   deny   ok     ok"},
    "market.task_edit":             {"GET":  "login  deny   deny   deny   deny   deny   deny   ok     ok",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    "market.task_state":            {"POST": "login  deny   deny   deny   deny   deny   deny   bad    bad"},
    # Matching, messages, consortia from tasks (tests/market/): whoever sees a listing of another
    # organisation and acts for one writes to it; X's own need is not X's to contact, and the officer
    # (coordinator) and admin see it but act for no applicant organisation.
    "market.contact_need":          {"GET":  "login  deny   deny   deny   deny   deny   deny   deny   deny",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   deny   deny"},
    "market.contact_capability":    {"GET":  "login  deny   deny   deny   deny   deny   deny   deny   deny",
                                     "POST": "login  deny   deny   deny   deny   deny   deny   deny   deny"},
    "market.messages":              {"GET":  "login  ok     ok     deny   deny   deny   deny   deny   deny"},
    # A supplier of no persona's organisation wrote to X's lead: only X's people read and answer (admins neither).
    "market.thread":                {"GET":  "login  deny   ok     deny   deny   deny   deny   deny   deny",
                                     "POST": "login  deny   bad    deny   deny   deny   deny   deny   deny"},
    # X's lead organisation has the task's need: it starts a consortium (the world's call is closed, so an
    # empty form is refused); the coordinating officer and admin see the task but lead no consortium.
    "market.task_start":            {"GET":  "login  deny   ok     deny   deny   deny   deny   deny   deny",
                                     "POST": "login  deny   bad    deny   deny   deny   deny   deny   deny"},
    "market.proposal_members":      {"GET":  "login  deny   ok     deny   deny   deny   deny   deny   deny"},
    # Computing X's draft's member suggestions again (a job): X's people only, like the page.
    "market.suggestions_refresh":   {"POST": "login  deny   ok     deny   deny   deny   deny   deny   deny"},
}

# URL variables whose value is not simply the world's id of the same name.
OVERRIDES = {"set_locale": {"code": "en"}, "officer.step_confirm": {"step": "decide"},
             "market.suggestions_refresh": {"which": "members"},
             "officer.committee_minutes_download": {"number": 1}, "officer.edit_stage_rubric": {"position": 2},
             # No presentation stage or slot in the world: ids that name no row.
             **{e: {"stage_id": 2**31 - 1} for e in ("officer.presentation", "officer.presentation_generate",
                                                     "officer.presentation_publish")},
             **{e: {"slot_id": 2**31 - 1} for e in ("officer.presentation_attendance", "officer.presentation_slides",
                                                    "review.presentation_opinion")}}
# Personas who may see X's title on a page they are allowed to open (others never may).
MAY_SEE_TITLE = {"owner", "pledged", "recused", "officer", "admin"}

# The "deny" cells that answer 403; every other "deny" is a 404.
# Pages without an object, refused to whoever lacks the role that opens them:
ROLE_PAGES = {
    "admin.users",
    "auth.totp_settings", "auth.totp_start", "auth.totp_confirm", "auth.totp_disable",
    "officer.index", "officer.new_call",
    "proposals.consortia", "proposals.invitations", "proposals.mine", "proposals.start",
    "review.index", "review.presentations",
    "review.profile", "review.profile_save", "review.profile_bank",
    "officer.pool", "officer.pool_import_page", "officer.pool_import_upload", "officer.pool_import_template",
    "officer.sanctions_list", "officer.sanction_add", "officer.sanction_lift",
    "officer.api_tokens", "officer.api_token_issue", "officer.api_token_revoke",
    "review.honoraria_list", "finance.index",
    "market.need_new", "market.capability_new",
    "market.messages",
}
# Actions on an object the persona sees but may not take:
SEEN_NOT_THEIRS = {
    # The call's officers (and admins) read X's proposal; only X's lead writes, submits or withdraws it.
    **{(endpoint, "POST"): {"officer", "admin"} for endpoint in (
        "proposals.section", "proposals.attachments", "proposals.attachment_delete", "proposals.submit",
        "proposals.withdraw")},
    ("proposals.submit", "GET"): {"officer", "admin"},
    ("proposals.withdraw_confirm", "GET"): {"officer", "admin"},
    # The pledged reviewer's own assignment, already pledged and its sheet submitted.
    ("review.pledge", "POST"): {"pledged"},
    ("review.recuse", "POST"): {"pledged"},
    # The call's officers read its honoraria; closing a batch is finance's.
    ("finance.close", "POST"): {"officer"},
    # The call's officers read X's reports; only X's lead writes them, only officers decide them.
    ("projects.report", "POST"): {"officer", "admin"},
    ("projects.report_accept", "POST"): {"owner"},
    ("projects.report_return", "POST"): {"owner"},
    # The call's officers read X's plan changes and inspections; the lead asks, the officers decide and record.
    ("projects.change_new", "GET"): {"officer", "admin"},
    ("projects.change_new", "POST"): {"officer", "admin"},
    ("projects.change_decide", "POST"): {"owner"},
    ("projects.inspection_new", "GET"): {"owner"},
    ("projects.inspection_new", "POST"): {"owner"},
    ("projects.action_done", "POST"): {"owner"},
    # X's agreement: the lead revises the plan, the call's officers decide and issue.
    ("agreements.submit_revision", "POST"): {"officer", "admin"},
    **{(endpoint, "POST"): {"owner"} for endpoint in (
        "agreements.decide_revision", "agreements.terms", "agreements.issue")},
    # Around the call: the coordinator and admins see X's alliance-only listings, only X's people edit
    # them; X's people see the alliance and its tasks, only the coordinator (and admins) curate them.
    **{(endpoint, method): {"officer", "admin"} for endpoint, method in (
        ("market.need_edit", "GET"), ("market.need_edit", "POST"), ("market.need_state", "POST"),
        ("market.capability_edit", "GET"), ("market.capability_edit", "POST"), ("market.capability_state", "POST"))},
    **{(endpoint, method): {"owner"} for endpoint, method in (
        ("market.survey_import", "GET"), ("market.survey_import", "POST"), ("market.survey_template", "GET"),
        ("market.group_member_add", "POST"), ("market.group_member_remove", "POST"), ("market.task_new", "GET"),
        ("market.task_new", "POST"), ("market.task_edit", "GET"), ("market.task_edit", "POST"),
        ("market.task_state", "POST"))},
    ("market.alliance_member_add", "POST"): {"owner", "officer"},
    # X's need and capability: X does not contact itself; the coordinator and admins act for no applicant.
    # The task: they see it, but only an attached organisation's applicant starts a consortium.
    **{(endpoint, method): {"owner", "officer", "admin"} for endpoint in (
        "market.contact_need", "market.contact_capability") for method in ("GET", "POST")},
    **{("market.task_start", method): {"officer", "admin"} for method in ("GET", "POST")},
}


def _refusal(endpoint: str, method: str, persona: str) -> int:
    if endpoint in ROLE_PAGES or persona in SEEN_NOT_THEIRS.get((endpoint, method), ()):
        return 403
    return 404


def _expectations() -> dict[tuple[str, str], dict[str, str]]:
    table = {}
    for endpoint, methods in MATRIX.items():
        for method, row in methods.items():
            codes = row.split()
            assert len(codes) == len(PERSONAS), f"{endpoint} {method}: {len(codes)} outcomes for {len(PERSONAS)} personas"
            assert set(codes) <= {"ok", "login", "deny", "bad", "token"}, f"{endpoint} {method}: {codes}"
            table[(endpoint, method)] = dict(zip(PERSONAS, codes))
            # Nobody proved these addresses: they are anonymous, whatever roles and seats they hold.
            table[(endpoint, method)].update({p: table[(endpoint, method)]["anon"] for p in UNVERIFIED_PERSONAS})
    return table


EXPECTED = _expectations()


def _rules(app):
    return {rule.endpoint: rule for rule in app.url_map.iter_rules()}


def test_every_url_rule_is_in_the_matrix(app):
    """A new route cannot escape: it fails here until its row is written."""
    rules = _rules(app)
    missing = sorted(set(rules) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(rules))
    assert not missing, f"URL rules without a row in the permission matrix: {missing}"
    assert not stale, f"rows for endpoints that no longer exist: {stale}"
    for endpoint, rule in rules.items():
        methods = rule.methods - {"HEAD", "OPTIONS"}
        # GET is tested when the rule has it; POST when it has it (and is POST-only or has a POST row).
        wanted = {"GET"} if "GET" in methods else {"POST"}
        if "POST" in methods and "GET" in methods:
            wanted = {"GET", "POST"}
        assert set(MATRIX[endpoint]) == wanted, f"{endpoint}: rows {sorted(MATRIX[endpoint])}, rule takes {sorted(methods)}"


def _url(app, world, endpoint: str) -> str:
    rule = _rules(app)[endpoint]
    # A value fixed for the endpoint (a step's name, a locale) is not an object's id.
    values = {name: world.ids[name] for name in rule.arguments if name not in OVERRIDES.get(endpoint, {})}
    values.update(OVERRIDES.get(endpoint, {}))
    return url_for(endpoint, **values)


def _outcome(resp) -> str:
    code = resp.status_code
    if code in (403, 404):
        return "deny"
    if code in (400, 409, 422):
        return "bad"
    if code == 401:
        return "token"
    if 300 <= code < 400:
        return "login" if urlsplit(resp.headers.get("Location", "")).path == "/login" else "ok"
    if 200 <= code < 300:
        return "ok"
    return f"HTTP {code}"


def _cells(persona: str):
    """Refused cells first, so each one's "after" is the next one's "before"; logging out last."""
    cells = sorted(EXPECTED.items(), key=lambda kv: (kv[0][0] == "auth.logout", kv[1][persona] == "ok", kv[0]))
    return [(endpoint, method, row[persona]) for (endpoint, method), row in cells]


@pytest.mark.parametrize("persona", PERSONAS + UNVERIFIED_PERSONAS)
def test_permission_matrix(app, client, world, persona):
    sign_in(client, world.user(persona))
    wrong = []
    before = table_digest()
    for endpoint, method, expected in _cells(persona):
        url = _url(app, world, endpoint)
        resp = client.open(url, method=method, data={} if method == "POST" else None)
        got = _outcome(resp)
        if got != expected:
            wrong.append(f"{method} {url} ({endpoint}): expected {expected}, got {got}")
        elif got == "deny" and resp.status_code != _refusal(endpoint, method, persona):
            wrong.append(f"{method} {url} ({endpoint}): refused with {resp.status_code}, "
                         f"the one rule says {_refusal(endpoint, method, persona)}")
        body = resp.get_data(as_text=True) if resp.mimetype.startswith("text/") else ""
        if (expected in ("deny", "login") or persona not in MAY_SEE_TITLE) and OWNER_TITLE in body:
            wrong.append(f"{method} {url} ({endpoint}): {persona} was shown consortium X's proposal title")
        if expected != "ok":
            after = table_digest()
            if changed_tables(before, after):
                wrong.append(f"{method} {url} ({endpoint}): refused, yet changed {changed_tables(before, after)}")
            before = after
    assert not wrong, f"{persona}:\n" + "\n".join(wrong)


# Someone with a legitimate place in the world reaching for an object that is not theirs:
# another consortium's ids, ids mixed across proposals, another reviewer's seat or file.
#   (persona, method, url template, body)
FOREIGN = [
    ("owner", "GET", "/proposals/{other_proposal_id}", None),
    ("owner", "GET", "/proposals/{other_proposal_id}/overview", None),
    ("owner", "GET", "/proposals/{other_proposal_id}/attachments", None),
    ("owner", "GET", "/proposals/{other_proposal_id}/attachments/{other_attachment_id}", None),
    ("owner", "GET", "/proposals/{proposal_id}/attachments/{other_attachment_id}", None),
    ("owner", "GET", "/proposals/{other_proposal_id}/receipt", None),
    ("owner", "GET", "/proposals/{other_proposal_id}/versions", None),
    ("owner", "GET", "/proposals/{other_proposal_id}/versions/1", None),
    ("owner", "GET", "/proposals/{proposal_id}/versions/2", None),
    ("owner", "GET", "/proposals/{other_proposal_id}/versions/1/pdf", None),
    ("owner", "GET", "/proposals/{proposal_id}/versions/2/pdf", None),
    ("owner", "GET", "/proposals/{other_proposal_id}/versions/diff", None),
    ("owner", "GET", "/proposals/{other_proposal_id}/withdraw/confirm", None),
    ("pledged", "GET", "/review/a/{unassigned_assignment_id}/proposal.pdf", None),
    ("recused", "GET", "/review/a/{recused_assignment_id}/proposal.pdf", None),
    ("owner", "GET", "/proposals/{other_proposal_id}/submit", None),
    ("owner", "GET", "/proposals/{other_proposal_id}/challenges", None),
    ("owner", "GET", "/my/proposals/{other_proposal_id}/result", None),
    ("owner", "GET", "/my/consortia/{other_consortium_id}", None),
    ("owner", "POST", "/my/consortia/{other_consortium_id}", {"brn": "1234567891", "role": "university"}),
    ("owner", "POST", "/my/proposals/{other_proposal_id}/result", {"grounds": "다른 컨소시엄의 결과에 이의를 제기합니다."}),
    ("owner", "POST", "/proposals/{other_proposal_id}/challenges",
     {"target_organisation": "어느 기관", "reason": "다른 컨소시엄 이름으로 기피신청"}),
    ("owner", "POST", "/proposals/{proposal_id}/attachments/{other_attachment_id}/delete", {}),
    ("owner", "POST", "/proposals/{other_proposal_id}/attachments/{other_attachment_id}/delete", {}),
    ("owner", "POST", "/proposals/{other_proposal_id}/withdraw", {}),
    ("owner", "POST", "/proposals/{other_proposal_id}/overview", {"title": "가로채기"}),
    ("other_applicant", "POST", "/notifications/{notification_id}/read", None),
    ("other_applicant", "GET", "/my/proposals/{proposal_id}/result", None),
    ("owner", "GET", "/my/proposals/{other_proposal_id}/presentation", None),
    ("owner", "POST", "/my/proposals/{other_proposal_id}/presentation/confirm", {}),
    ("owner", "GET", "/my/proposals/{other_proposal_id}/presentation/slides", None),
    ("pledged", "GET", "/review/a/{assignment_id}/files/{other_sha256}", None),
    ("pledged", "GET", "/review/a/{unassigned_assignment_id}", None),
    ("pledged", "GET", "/review/a/{unassigned_assignment_id}/proposal", None),
    ("pledged", "POST", "/review/a/{unassigned_assignment_id}/sheet", {"points_infra": "1", "overall_opinion": "x"}),
    ("unassigned", "GET", "/review/a/{unassigned_assignment_id}/files/{sha256}", None),
    # The recused reviewer's own seat: the page stays theirs, the proposal is closed to them.
    ("recused", "GET", "/review/a/{recused_assignment_id}/proposal", None),
    ("recused", "GET", "/review/a/{recused_assignment_id}/sheet", None),
    ("recused", "GET", "/review/a/{recused_assignment_id}/files/{sha256}", None),
    ("recused", "POST", "/review/a/{recused_assignment_id}/pledge", {"confirm": "y"}),
    ("recused", "POST", "/review/a/{recused_assignment_id}/sheet", {"points_infra": "30", "overall_opinion": "x"}),
    ("other_officer", "POST", "/officer/results/{result_id}", {"selected": "0", "reason": "다른 기관의 선정을 바꿉니다."}),
    ("other_officer", "POST", "/officer/proposals/{proposal_id}/screening", {"status": "rejected", "reason": "권한 없음"}),
    ("other_officer", "POST", "/officer/objections/{objection_id}", {"answer": "다른 기관이 답변합니다."}),
]


def test_objects_of_others_are_refused_and_untouched(app, world):
    wrong = []
    for persona, method, template, body in FOREIGN:
        client = app.test_client()
        sign_in(client, world.user(persona))
        before = table_digest()  # after the session row that signing in writes
        url = template.format(**world.ids)
        resp = client.open(url, method=method, data=body or {})
        if resp.status_code not in (403, 404):
            wrong.append(f"{persona} {method} {url}: {resp.status_code}")
        html = resp.get_data(as_text=True)
        if OWNER_TITLE in html or OTHER_TITLE in html:
            wrong.append(f"{persona} {method} {url}: a proposal title was shown")
        after = table_digest()
        if changed_tables(before, after):
            wrong.append(f"{persona} {method} {url}: changed {changed_tables(before, after)}")
    assert not wrong, "\n".join(wrong)
