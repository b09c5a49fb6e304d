"""Jobs (app/jobs) without a broker: they run in the request's process, as in ``make run``.

The real worker's run is in tests/workers/test_jobs_worker.py.
"""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select, text

from app import jobs
from app.core.errors import GongmoError
from app.extensions import db
from app.models.jobs import Job, JobState
from tests.factories import UserFactory, closed_call, officer_for, other_agency_officer
from tests.support import sign_in

SEEN: list[tuple[int, str]] = []


@jobs.kind("test.refuse", "시험: 거절")
def _refuse(job, progress):
    raise GongmoError("시험 작업이 거절되었습니다.")


@jobs.kind("test.crash", "시험: 오류")
def _crash(job, progress):
    raise RuntimeError("boom")


@jobs.kind("test.progress", "시험: 진행률")
def _progress(job, progress):
    for percent in (25, 60):
        progress(percent, f"{percent}% 처리")
        # Read on a connection of its own: the progress is committed while the job runs.
        with db.engine.connect() as conn:
            SEEN.append(tuple(conn.execute(text("SELECT progress, message FROM jobs WHERE id = :id"),
                                           {"id": job.id}).one()))
    return jobs.Outcome("모두 처리했습니다.", data="결과\n".encode(), filename="진행.txt", mimetype="text/plain")


def _run(name, owner, **params):
    job = jobs.start(name, owner, params)
    db.session.commit()
    return jobs.hand_over(job)


def test_an_export_runs_in_process_and_only_its_owner_sees_and_downloads_it(app, client):
    call = closed_call()
    officer, colleague, stranger = officer_for(call), officer_for(call), other_agency_officer()
    db.session.commit()
    sign_in(client, officer)
    resp = client.post(f"/officer/calls/{call.id}/exports/proposals.csv")
    job = db.session.scalar(select(Job))
    assert job.state == JobState.DONE and job.progress == 100 and job.owner_id == officer.id
    assert job.kind == "selection.export" and job.call_id == call.id and job.finished_at is not None
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/jobs/{job.id}/download")
    got = client.get(f"/jobs/{job.id}/download")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    assert f"filename={call.code}-proposals.csv" in got.headers["Content-Disposition"]
    assert "no-store" in got.headers["Cache-Control"]
    assert next(csv.reader(io.StringIO(got.data.decode("utf-8-sig"))))[0] == "접수번호"
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "완료" in page and f"/jobs/{job.id}/download" in page and 'http-equiv="refresh"' not in page
    # Another officer of the same call, one of another agency, an applicant: the same 404 as no job.
    for other in (colleague, stranger, UserFactory()):
        sign_in(client, other)
        assert client.get(f"/jobs/{job.id}").status_code == 404
        assert client.get(f"/jobs/{job.id}/download").status_code == 404
    client.post("/logout")
    assert client.get(f"/jobs/{job.id}/download").status_code == 302  # to the login page


def test_a_refused_job_is_recorded_with_its_message_and_shown_to_its_owner(app, client):
    owner = UserFactory()
    job = _run("test.refuse", owner)
    assert job.state == JobState.FAILED and job.error == "시험 작업이 거절되었습니다."
    assert job.result_key is None and job.finished_at is not None
    sign_in(client, owner)
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "실패" in page and "시험 작업이 거절되었습니다." in page
    assert client.get(f"/jobs/{job.id}/download").status_code == 404


def test_an_unexpected_error_fails_the_job_with_a_general_message(app, caplog):
    job = _run("test.crash", UserFactory())
    assert job.state == JobState.FAILED and job.error == "작업 중 오류가 발생했습니다. 잠시 후 다시 시도하십시오."
    assert "boom" in caplog.text  # the trace goes to the log, not to the user


def test_progress_moves_while_the_job_runs_and_its_file_is_kept(app, client):
    SEEN.clear()
    owner = UserFactory()
    job = _run("test.progress", owner)
    assert SEEN == [(25, "25% 처리"), (60, "60% 처리")]
    assert (job.state, job.progress, job.message) == (JobState.DONE, 100, "모두 처리했습니다.")
    sign_in(client, owner)
    got = client.get(f"/jobs/{job.id}/download")
    assert got.data.decode() == "결과\n" and "filename*=UTF-8''%EC%A7%84%ED%96%89.txt" in got.headers["Content-Disposition"]


def test_a_waiting_job_page_reloads_itself_and_a_finished_job_is_not_run_twice(app, client):
    owner = UserFactory()
    job = jobs.start("test.refuse", owner)
    db.session.commit()
    sign_in(client, owner)
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "대기 중" in page and 'http-equiv="refresh"' in page
    jobs.hand_over(job)
    assert jobs.run(job.id) == JobState.FAILED  # a second delivery leaves it as it was
    assert db.session.get(Job, job.id).state == JobState.FAILED


def test_without_a_broker_the_job_fails_with_a_message_rather_than_wait(app, monkeypatch):
    monkeypatch.setitem(app.config, "TASKS_EAGER", False)

    def unreachable(*args, **kwargs):
        raise ConnectionError("no broker")

    monkeypatch.setattr(app.extensions["tasks"], "send", unreachable)
    job = _run("test.refuse", UserFactory())
    assert job.state == JobState.FAILED and job.error == "작업을 대기열에 넣지 못했습니다. 잠시 후 다시 시도하십시오."


def test_computing_results_refuses_at_once_outside_review_and_starts_no_job(app, client):
    call = closed_call()
    officer = officer_for(call)
    db.session.commit()
    sign_in(client, officer)
    page = client.post(f"/officer/calls/{call.id}/results/compute", data={}, follow_redirects=True)
    assert "평가 중인 공모에서만 결과를 산출할 수 있습니다." in page.get_data(as_text=True)
    assert db.session.scalar(select(Job)) is None


@pytest.mark.parametrize("unknown", ["nope", "test.unknown"])
def test_only_registered_kinds_start(app, unknown):
    with pytest.raises(KeyError):
        jobs.start(unknown, UserFactory())


def _call_with_sheets():
    from app.calls import lifecycle
    from app.review import assignment, conflicts, review_sheets
    from app.selection import screening
    from tests.app.builders import pool_of, submitted_proposal

    call = closed_call()
    officer = officer_for(call)
    proposal = submitted_proposal(call, "창원")
    screening.decide(proposal, officer, "confirmed", "")
    lifecycle.start_review(call, officer)
    for user in pool_of(call, officer, 3):
        seat = assignment.assign(call, proposal, user.id, officer)
        conflicts.declare_no_conflict(seat, user)
        review_sheets.submit(seat, user, points={"infra": "27", "poc": "A", "plan": "8.5", "alliance": "10"},
                             comments={}, overall_opinion="종합 의견")
    db.session.commit()
    return call, officer


def test_the_ranking_is_computed_by_a_job_and_the_page_offers_to_compute_again(app, client):
    from app.models import Result
    from app.selection import result_jobs

    call, officer = _call_with_sheets()
    sign_in(client, officer)
    waiting = jobs.start(result_jobs.COMPUTE, officer, {}, call_id=call.id)  # one still waiting for a worker
    db.session.commit()
    page = client.get(f"/officer/calls/{call.id}/results").get_data(as_text=True)
    assert "결과를 산출하고 있습니다 (0%)." in page and f"/jobs/{waiting.id}" in page
    db.session.delete(waiting)
    db.session.commit()

    page = client.post(f"/officer/calls/{call.id}/results/compute", data={"acknowledge_short": "y"},
                       follow_redirects=True).get_data(as_text=True)
    job = db.session.scalar(select(Job))
    assert (job.kind, job.state, job.owner_id, job.call_id) == (result_jobs.COMPUTE, JobState.DONE, officer.id, call.id)
    assert job.params["acknowledge_short"] is True and job.message == "평가 결과를 산출했습니다 (1건)."
    assert "평가 결과를 산출했습니다 (1건)." in page and "다시 계산" in page
    assert db.session.scalar(select(Result).where(Result.call_id == call.id)).rank == 1


def test_a_web_process_loads_no_engine_spreadsheet_pdf_or_migration_library():
    """What the jobs run (matching with numpy and Kiwi, openpyxl, ReportLab), what only `flask db`
    needs (Alembic), the mails' calendar files (icalendar), the QR code of the second factor's
    enrolment (segno) and the sealing of bank details and webhook secrets (cryptography's OpenSSL)
    stay out of a web worker's memory until a request needs them."""
    import subprocess
    import sys
    from pathlib import Path

    probe = ("import sys; from app import create_app; from config import TestingConfig; "
             "from app.extensions import db; "
             "app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI='sqlite://'); "
             "ctx = app.app_context(); ctx.push(); db.create_all(); "
             "assert app.test_client().get('/').status_code == 200; "
             "print(sorted(m for m in ('numpy', 'openpyxl', 'reportlab', 'kiwipiepy', 'alembic', 'flask_migrate', "
             "'icalendar', 'segno', 'cryptography.hazmat.bindings._rust') "
             "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=Path(__file__).resolve().parents[2],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
