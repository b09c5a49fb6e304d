"""Jobs (app/jobs) handed to a real Celery worker through Redis, as in production.

The web side (this process) only writes the job and sends its id; the worker runs the kind,
reports progress, keeps the file in the storage and marks the job done or failed.
"""
from __future__ import annotations

import time

import pytest

from app import jobs
from app.extensions import db
from app.matching import tokens
from app.models.jobs import Job, JobState, SuggestionList
from app.market import suggestion_jobs
from app.selection import result_jobs
from tests.factories import closed_call, officer_for
from tests.market.market_world import market
from tests.support import sign_in

pytestmark = pytest.mark.redis


def wait_finished(job_id: int, timeout: float = 60.0) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        if job.finished:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} not finished within {timeout}s")


def test_an_export_is_built_by_the_worker_and_downloaded_by_its_owner(live_app, workers):
    # Its own worker, stopped when the test ends: the shared one, started this early, would take
    # the start-up sweeps that tests/workers/test_worker_faults.py waits to see in its own workers.
    workers("jobs")
    call = closed_call()
    officer = officer_for(call)
    db.session.commit()
    client = live_app.test_client()
    sign_in(client, officer)

    resp = client.post(f"/officer/calls/{call.id}/exports/proposals.xlsx")
    job = db.session.query(Job).one()
    # The request only queued it: the worker builds the file.
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/jobs/{job.id}")
    job = wait_finished(job.id)
    assert job.state == JobState.DONE and job.progress == 100 and job.started_at is not None
    assert job.result_filename == f"{call.code}-proposals.xlsx" and job.message == "신청서 파일을 만들었습니다."
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert f"/jobs/{job.id}/download" in page
    got = client.get(f"/jobs/{job.id}/download")
    assert got.status_code == 200 and got.data[:2] == b"PK"  # an XLSX is a ZIP


def test_a_refusal_in_the_worker_is_recorded_with_its_message(live_app, workers):
    workers("jobs")
    call = closed_call()
    officer = officer_for(call)
    db.session.commit()
    job = jobs.start(result_jobs.COMPUTE, officer, {}, call_id=call.id)
    db.session.commit()
    jobs.hand_over(job)
    job = wait_finished(job.id)
    assert job.state == JobState.FAILED and job.error == "평가 중인 공모에서만 결과를 산출할 수 있습니다."


def test_market_suggestions_are_ranked_by_the_worker_not_the_web_process(live_app, workers):
    workers("kiwi")  # its own worker: it loads Kiwi's model
    m = market()
    loaded_before = tokens._kiwi is not None
    client = live_app.test_client()
    sign_in(client, m.firm)
    page = client.get(f"/market/needs/{m.need.id}").get_data(as_text=True)
    # The page asked a worker for the list and shows that it is coming.
    assert "추천 목록을 계산하고 있습니다" in page
    job = db.session.query(Job).filter(Job.kind == suggestion_jobs.KIND).one()
    job = wait_finished(job.id, timeout=120)
    assert job.state == JobState.DONE, job.error
    assert (tokens._kiwi is not None) == loaded_before  # this (web) process did not tokenise
    stored = db.session.query(SuggestionList).one()
    assert [i["id"] for i in stored.items] == [m.capability.id]
    page = client.get(f"/market/needs/{m.need.id}").get_data(as_text=True)
    assert m.capability.title in page and "계산 일시" in page and "추천 목록을 계산하고 있습니다" not in page
