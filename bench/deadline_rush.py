"""The deadline rush: many consortia save, upload and submit in the last minute, some too late.

Run from the repository root: ``.venv/bin/python bench/deadline_rush.py`` (about three minutes),
or ``bench/deadline_rush.py --nodes 2 --consortia 3000`` (two web nodes behind bench/proxy.py,
3,000 consortia in the last five minutes; about ten minutes).

It starts the app as production runs it (gunicorn, PostgreSQL, Redis, a Celery worker,
mail to an aiosmtpd sink; see bench/common.py), with ``--nodes`` web nodes sharing the
database, Redis and the blob store (``--storage local``: one directory, as a shared mount;
``--storage s3``: moto's S3 server), creates N consortia whose proposals
lack only the master plan and the 3 MB project plan (사업계획서), and closes the call
``--close-after`` seconds after the rush begins. Each consortium then does what a
browser does: open the master-plan page, save it as a draft, open the attachments page,
upload a unique 3 MB PDF, open the submission page and submit, following every
redirect. Start times crowd towards the deadline; ``--late-share`` of the consortia
begin only after it, and ``--edge-share`` aim their submission at the closing second.

Logging in: each simulated user gets a session cookie signed with the app's secret
(what POST /login leaves behind); the login form itself is rate-limited per address
and all simulated users share 127.0.0.1. CSRF is on (production configuration): every
form is sent with the token of the page it was on.

Afterwards it checks, from the database, the stored files and the SMTP sink:
- every accepted submission is complete: a frozen version with the master plan that
  was typed and the attachment whose sha256 matches the bytes that were sent, also on disk;
- receipt numbers are distinct and without gaps;
- every refused (late) request changed nothing: no draft text, no attachment row or
  blob, no version, no receipt number, no audit entry, no mail;
- every receipt mail arrived exactly once per proposal and recipient, and no other mail.
"""
from __future__ import annotations

import argparse
import hashlib
import math
import os
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common
from bench.common import Browser, csrf_from, latency_line, percentile

CLOSED_TEXT = "접수가 마감되었습니다"
SAVED_TEXT = "임시 저장되었습니다"
UPLOADED_TEXT = "파일을 올렸습니다"
PDF_SIZE = 3 * 1024 * 1024
BULK = os.urandom(PDF_SIZE)  # shared random filler; each file still differs by its seed


@dataclass
class Consortium:
    n: int
    proposal_id: int
    user_id: int
    email: str
    cookie: str
    group: str  # on_time, edge, late
    start_at: float  # seconds after the rush began
    master_plan: str = ""
    outcome: dict = field(default_factory=dict)  # step -> accepted | closed | error kind
    sent_sha: str = ""
    sent_size: int = 0
    submit_sent_at: float | None = None  # seconds after the rush began, when the POST left


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.errors: Counter = Counter()
        self.done_at: dict[str, list[float]] = defaultdict(list)
        self.requests: dict[str, list[tuple[str, float]]] = defaultdict(list)  # (X-Request-ID, seconds)

    def add(self, kind: str, resp, at: float | None = None) -> None:
        with self.lock:
            self.requests[kind].append((resp.request_id, resp.seconds))
            if at is not None:
                self.done_at[kind].append(at)

    def latency(self, kind: str) -> list[float]:
        return [seconds for _rid, seconds in self.requests[kind]]

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] += 1


# --- set-up --------------------------------------------------------------------------

SHAPES = {
    # When the on-time consortia aim to submit, between the earliest and the latest moment:
    "uniform": lambda u: u,  # evenly
    "ramp": lambda u: math.sqrt(u),  # ever more towards the deadline: the last second is twice the average
    "crowd": lambda u: 1 - u * u,  # most in the last seconds: the last second is ~20× the average
}


def submit_time(rng: random.Random, shape: str, earliest: float, latest: float) -> float:
    return earliest + (latest - earliest) * SHAPES[shape](rng.random())


def build(stack, n: int, close_after: float, late_share: float, edge_share: float, think: float, seed: int,
          shape: str = "ramp"):
    from app.extensions import db
    from app.models import Attachment, Proposal
    from app.core import clock
    from app.accounts.passwords import hash_password

    rng = random.Random(seed)
    consortia = []
    with stack.app.app_context():
        now = clock.now()
        call = common.new_call(db, code="AX-2025", opens_at=now - timedelta(days=30), closes_at=now + timedelta(days=1))
        complexes = list(call.complexes)
        brns = common.Brns()
        password_hash = hash_password(common.PASSWORD)  # one hash for all: argon2 is slow by design
        letters = {}
        for key in ("consortium_agreement", "local_matching_letter"):
            letters[key] = common.store_blob(common.pdf_bytes(2048, seed=key.encode()))
        rows = []
        for i in range(n):
            user, consortium = common.applicant_and_consortium(db, i, brns, password_hash)
            proposal = Proposal(call=call, consortium=consortium, created_by_id=user.id,
                                complex_id=complexes[i % len(complexes)].id, title=f"벤치 AX 실증산단 {i}")
            common.fill_proposal(proposal, call)
            common.set_text(proposal, "master_plan", "")  # what the rush saves
            for key, (sha, storage_key) in letters.items():
                proposal.attachments.append(Attachment(kind=key, filename=f"{key}.pdf", size=2048, sha256=sha,
                                                       detected_type="pdf", storage_key=storage_key,
                                                       uploaded_by_id=user.id))
            db.session.add(proposal)
            rows.append((user, proposal))
            if i % 50 == 49:
                db.session.flush()
        db.session.commit()

        late = set(rng.sample(range(n), round(n * late_share)))
        edge = set(rng.sample(sorted(set(range(n)) - late), round(n * edge_share)))
        flow = 2 * think + 1.0  # seconds from the first page to the submit POST, roughly
        for i, (user, proposal) in enumerate(rows):
            if i in late:
                group, start = "late", close_after + rng.uniform(0.5, 8.0)
            elif i in edge:
                group, start = "edge", close_after - flow + rng.uniform(-1.5, 1.5)
            else:
                group, start = "on_time", submit_time(rng, shape, flow, close_after - 3.0) - flow
            consortia.append(Consortium(
                n=i, proposal_id=proposal.id, user_id=user.id, email=user.email,
                cookie=common.session_cookie(stack.app, user), group=group, start_at=max(0.0, start),
                master_plan=f"컨소시엄 {i}의 AX 중장기 마스터플랜: 입주기업 AI 수요 조사에 기반한 5개년 계획 " + "가" * 2000,
            ))
        call_id = call.id
        db.session.remove()
        db.engine.dispose()
    return call_id, consortia


def set_deadline(stack, call_id: int, closes_at) -> None:
    from app.extensions import db
    from app.models import Call

    with stack.app.app_context():
        db.session.get(Call, call_id).closes_at = closes_at
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


# --- one consortium's browser ---------------------------------------------------------

def classify(page, ok_text: str) -> str:
    if page is None:
        return "error:no-redirect"
    if page.status >= 500:
        return f"error:http-{page.status}"
    if CLOSED_TEXT in page.text:
        return "closed"
    if ok_text in page.text:
        return "accepted"
    return f"error:unexpected-page-{page.status}"


def run_consortium(c: Consortium, port: int, t0: float, think: float, rec: Recorder, rng: random.Random) -> None:
    b = Browser(port, cookies={"session": c.cookie})
    base = f"/proposals/{c.proposal_id}"

    def page(path: str):
        r = b.get(path)
        rec.add("page (GET)", r)
        if r.status >= 400:
            raise StepError(f"http-{r.status} on GET")
        return r

    def step(name: str, action) -> None:
        try:
            c.outcome[name] = action()
        except StepError as exc:
            c.outcome[name] = f"error:{exc}"
        except Exception as exc:  # noqa: BLE001 - a dropped connection, a timeout: counted by kind
            c.outcome[name] = f"error:{type(exc).__name__}"
        if c.outcome[name].startswith("error"):
            rec.error(f"{name}: {c.outcome[name][6:]}")

    def save():
        form = page(f"{base}/master_plan")
        r = b.post_form(f"{base}/master_plan", {"csrf_token": csrf_from(form.text), "body": c.master_plan,
                                                "save": "임시 저장"})
        rec.add("save (POST)", r)
        if r.status >= 400:
            raise StepError(f"http-{r.status}")
        after = b.follow(r)
        rec.add("page (GET)", after) if after else None
        return classify(after, SAVED_TEXT)

    def upload():
        data = common.pdf_bytes(PDF_SIZE, seed=f"consortium {c.n} {time.time_ns()}".encode(), bulk=BULK)
        c.sent_sha, c.sent_size = hashlib.sha256(data).hexdigest(), len(data)
        form = page(f"{base}/attachments")
        r = b.post_multipart(f"{base}/attachments", {"csrf_token": csrf_from(form.text), "kind": "plan"},
                             {"file": ("사업계획서.pdf", data, "application/pdf")})
        rec.add("upload 3 MB (POST)", r)
        if r.status >= 400:
            raise StepError(f"http-{r.status}")
        after = b.follow(r)
        rec.add("page (GET)", after) if after else None
        return classify(after, UPLOADED_TEXT)

    def submit():
        form = page(f"{base}/submit")
        c.submit_sent_at = time.monotonic() - t0
        r = b.post_form(f"{base}/submit", {"csrf_token": csrf_from(form.text), "confirm": "y"})
        done = time.monotonic() - t0
        rec.add("submit (POST)", r)
        if r.status >= 400:
            raise StepError(f"http-{r.status}")
        if r.status == 303 and (r.location or "").endswith("/receipt"):
            rec.add("submit accepted", r, at=done)
            after = b.follow(r)
            rec.add("page (GET)", after)
            return "accepted" if after.status == 200 else f"error:receipt-{after.status}"
        after = b.follow(r)
        rec.add("page (GET)", after) if after else None
        return classify(after, "\x00never")  # anything but "closed" is an error here

    time.sleep(max(0.0, t0 + c.start_at - time.monotonic()))
    step("save", save)
    time.sleep(think * rng.uniform(0.75, 1.25))
    step("upload", upload)
    time.sleep(think * rng.uniform(0.75, 1.25))
    step("submit", submit)


class StepError(Exception):
    pass


# --- verification --------------------------------------------------------------------

def verify(stack, call_id: int, consortia: list[Consortium], closes_at, mails: list[dict]) -> list[str]:
    """Every broken promise, as sentences; empty when all hold."""
    from sqlalchemy import func, select

    from app.core import storage
    from app.extensions import db
    from app.models import (
        Attachment,
        AuditEntry,
        OutboxMessage,
        Proposal,
        ProposalVersion,
    )

    problems = []
    mail_count = Counter((m["key"], tuple(m["rcpt"])) for m in mails)
    expected_mails = set()
    with stack.app.app_context():
        receipts = []
        for c in consortia:
            p = db.session.get(Proposal, c.proposal_id)
            versions = db.session.scalars(select(ProposalVersion).where(ProposalVersion.proposal_id == p.id)).all()
            plan_rows = db.session.scalars(select(Attachment).where(Attachment.proposal_id == p.id,
                                                                    Attachment.kind == "plan")).all()
            said = c.outcome.get("submit")
            if p.status == "submitted":
                if said != "accepted":
                    problems.append(f"proposal {p.id}: submitted in the database but the client saw {said!r}")
                if len(versions) != 1:
                    problems.append(f"proposal {p.id}: {len(versions)} versions, expected 1")
                    continue
                v = versions[0]
                receipts.append(v.receipt_no)
                if v.submitted_at >= closes_at:
                    problems.append(f"proposal {p.id}: accepted at {v.submitted_at}, after the close {closes_at}")
                snap_plan = [a for a in v.snapshot["attachments"] if a.get("kind") == "plan"]
                if [a.get("sha256") for a in snap_plan] != [c.sent_sha]:
                    problems.append(f"proposal {p.id}: the version's project plan is not the file that was sent")
                if v.snapshot["texts"].get("master_plan") != c.master_plan or p.text("master_plan") != c.master_plan:
                    problems.append(f"proposal {p.id}: the master plan is not what was typed")
                if [a.sha256 for a in plan_rows] != [c.sent_sha] or plan_rows[0].size != c.sent_size:
                    problems.append(f"proposal {p.id}: attachment row does not match the sent file")
                else:
                    if _stored_sha(storage.get(), plan_rows[0].storage_key) != c.sent_sha:
                        problems.append(f"proposal {p.id}: the stored blob does not hash to what was sent")
                expected_mails.add((f"proposal_submitted:{p.id}:v1:u{c.user_id}", (c.email,)))
            else:
                if said == "accepted":
                    problems.append(f"proposal {p.id}: the client was told 'received' but it is {p.status}")
                if versions or p.receipt_no:
                    problems.append(f"proposal {p.id}: refused, yet has versions or a receipt number")
                if said != "closed":
                    problems.append(f"proposal {p.id}: not submitted and not refused by the deadline ({said!r})")
                if c.outcome.get("save") == "closed" and p.text("master_plan"):
                    problems.append(f"proposal {p.id}: a refused save changed the master plan")
                if c.outcome.get("upload") == "closed":
                    if plan_rows:
                        problems.append(f"proposal {p.id}: a refused upload left an attachment row")
                    if c.sent_sha and storage.get().exists(f"{c.sent_sha[:2]}/{c.sent_sha[2:4]}/{c.sent_sha}"):
                        problems.append(f"proposal {p.id}: a refused upload left its file in the store")
            late_audit = db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.at >= closes_at.replace(microsecond=0) + timedelta(seconds=1),
                                                        AuditEntry.object_type == "proposal",
                                                        AuditEntry.object_id == p.id))
            if late_audit:
                problems.append(f"proposal {p.id}: {late_audit} audit entries after the close")
        if len(set(receipts)) != len(receipts):
            problems.append("duplicate receipt numbers")
        seqs = sorted(int(r.rsplit("-", 1)[1]) for r in receipts)
        if seqs != list(range(1, len(seqs) + 1)):
            problems.append(f"receipt numbers have gaps: {len(seqs)} receipts, highest {seqs[-1] if seqs else 0}")
        outbox = Counter(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
        db.session.remove()
        db.engine.dispose()
    for key, n in mail_count.items():
        if key not in expected_mails:
            problems.append(f"unexpected mail {key} ×{n}")
        elif n != 1:
            problems.append(f"mail {key} arrived {n} times")
    for key in expected_mails - set(mail_count):
        problems.append(f"mail {key} never arrived")
    if outbox:
        print("outbox rows by status: " + ", ".join(f"{s}={n}" for (s, n) in outbox))
    return problems


def _stored_sha(store, key: str) -> str | None:
    digest = hashlib.sha256()
    try:
        for chunk in store.iter_chunks(key):
            digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def wait_for_mails(stack, expected: int, timeout: float) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        mails = common.read_mails(stack.mail_log)
        if len(mails) >= expected or time.monotonic() > deadline:
            # A little longer: a duplicate would arrive after the expected count.
            time.sleep(3)
            return common.read_mails(stack.mail_log)
        time.sleep(0.5)


# --- main ----------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--consortia", type=int, default=300)
    ap.add_argument("--close-after", type=float, default=None,
                    help="seconds from the start of the rush to the close (default: 75, or 1 s per 10 consortia "
                         "when that is longer: 300 s for 3,000)")
    ap.add_argument("--late-share", type=float, default=0.10)
    ap.add_argument("--edge-share", type=float, default=0.05)
    ap.add_argument("--shape", choices=sorted(SHAPES), default="ramp",
                    help="how the on-time submissions spread over the window (default: ramp)")
    ap.add_argument("--think", type=float, default=2.0, help="seconds a user spends on a page before the next step")
    ap.add_argument("--nodes", type=int, default=1,
                    help="web nodes (gunicorn masters with their own instance folders) behind bench/proxy.py")
    ap.add_argument("--storage", choices=("local", "s3"), default="local",
                    help="the blob store the nodes share: a directory (default) or moto's S3 server")
    ap.add_argument("--workers", type=int, default=None,
                    help="gunicorn worker processes per node (default: 4 on one node, 2 per node on several)")
    ap.add_argument("--threads", type=int, default=2,
                    help="threads per gunicorn worker (2 measured better than 4 on 2 cores; see BENCHMARKS.md)")
    ap.add_argument("--celery-concurrency", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, uploads)")
    args = ap.parse_args()
    if args.close_after is None:
        args.close_after = max(75.0, args.consortia / 10)
    if args.workers is None:
        args.workers = 4 if args.nodes == 1 else max(2, 4 // args.nodes)
    threading.stack_size(512 * 1024)  # thousands of simulated browsers, each a thread

    from app.core import clock

    with common.Stack(gunicorn_workers=args.workers, gunicorn_threads=args.threads,
                      celery_concurrency=args.celery_concurrency, keep=args.keep,
                      nodes=args.nodes, storage=args.storage) as stack:
        info = common.machine(stack.pg.url, stack.redis.port)
        info["gunicorn_cmd"] = f"-w {args.workers} --threads {args.threads} -k gthread" + (
            f" on each of {args.nodes} nodes behind bench/proxy.py" if args.nodes > 1 else "")
        info["blob_store"] = stack.env["STORAGE_URL"] + (" (moto server)" if args.storage == "s3" else "")
        info["celery"] = f"prefork --concurrency={args.celery_concurrency}"
        common.print_machine(info)
        started = time.monotonic()
        call_id, consortia = build(stack, args.consortia, args.close_after, args.late_share, args.edge_share,
                                   args.think, args.seed, args.shape)
        print(f"set-up: {len(consortia)} consortia with nearly complete drafts in {time.monotonic() - started:.1f} s")
        stack.start_web()
        stack.start_worker()

        rec = Recorder()
        rng = random.Random(args.seed + 1)
        t0 = time.monotonic()  # the rush begins: start times and the close count from here
        closes_at = clock.now() + timedelta(seconds=args.close_after)
        set_deadline(stack, call_id, closes_at)
        threads = [threading.Thread(target=run_consortium, args=(c, stack.web_port, t0, args.think, rec,
                                                                 random.Random(rng.random())), daemon=True)
                   for c in consortia]
        peak_rss: dict[int, int] = defaultdict(int)
        meter = common.CpuMeter(stack).start()
        for t in threads:
            t.start()
        print(f"rush: the call closes {args.close_after:.0f} s from now; "
              f"{Counter(c.group for c in consortia)}")
        while any(t.is_alive() for t in threads):
            for pid, mem in stack.web_memory().items():
                peak_rss[pid] = max(peak_rss[pid], mem.get("VmRSS", 0))
            time.sleep(0.5)
        rush_seconds = time.monotonic() - t0
        cpu = meter.stop()
        if args.nodes > 1:
            stack.proxy.stop()  # it prints the connections each node took
            per_node = [line for line in stack.proxy.output().splitlines() if line.startswith("connections")]
        accepted = sum(1 for c in consortia if c.outcome.get("submit") == "accepted")
        mails = wait_for_mails(stack, accepted, timeout=max(120, accepted / 10))
        memory = stack.web_memory()
        problems = verify(stack, call_id, consortia, closes_at, mails)

        # --- report ---
        print(f"\nrush lasted {rush_seconds:.1f} s (close at {args.close_after:.0f} s)")
        outcomes = Counter((c.group, c.outcome.get("submit")) for c in consortia)
        print("submit outcomes by group: " + ", ".join(f"{g}/{o}={n}" for (g, o), n in sorted(outcomes.items())))
        judged_late = [c for c in consortia if c.outcome.get("submit") == "closed" and c.submit_sent_at is not None
                       and c.submit_sent_at < args.close_after]
        if judged_late:
            print(f"refused submissions whose POST left before the close (queued past it): {len(judged_late)}")
        for step in ("save", "upload"):
            print(f"{step} outcomes: " + ", ".join(f"{o}={n}" for o, n in
                                                  sorted(Counter(c.outcome.get(step) for c in consortia).items())))
        done = sorted(rec.done_at["submit accepted"])
        if len(done) > 1:
            span = done[-1] - done[0]
            per_second = Counter(int(t) for t in done)
            print(f"accepted submissions: {len(done)} over {span:.1f} s = {len(done) / span:.1f}/s on average; "
                  f"busiest second {max(per_second.values())}/s; last 10 s before the close "
                  f"{sum(1 for t in done if args.close_after - 10 <= t < args.close_after) / 10:.1f}/s")
        for kind in ("save (POST)", "upload 3 MB (POST)", "submit (POST)", "submit accepted", "page (GET)"):
            print(latency_line(kind, rec.latency(kind)))
        # Each request's X-Request-ID is on its line in the nodes' JSON logs, with the time the
        # app took: the rest of what the client waited was spent queued (proxy, gunicorn's accept
        # queue, a free thread) or on the wire.
        inside = common.server_durations([p.log for p in stack.processes if p.name.startswith("gunicorn")])
        for kind in ("save (POST)", "upload 3 MB (POST)", "submit (POST)", "page (GET)"):
            print(common.time_split_line(kind, rec.requests[kind], inside))
        all_requests = sum(len(v) for k, v in rec.requests.items() if k != "submit accepted")
        print(f"requests: {all_requests} in {rush_seconds:.1f} s; CPU per request: web "
              f"{cpu['web'] / max(1, all_requests) * 1000:.0f} ms, PostgreSQL {cpu['pg'] / max(1, all_requests) * 1000:.0f} ms; "
              + common.CpuMeter.describe(cpu))
        print("where the CPU time went during the rush: " + common.CpuMeter.where_time_went(cpu))
        if args.nodes > 1:
            print("proxy: " + (per_node[-1] if per_node else "no count printed"))
        print("errors by kind: " + (", ".join(f"{k}={n}" for k, n in rec.errors.most_common()) or "none"))
        print(f"mails at the SMTP sink: {len(mails)} (expected {accepted})")
        for pid in sorted(memory):
            print(f"gunicorn worker {pid}: VmRSS {memory[pid].get('VmRSS', 0) / 1024:.0f} MiB at the end, "
                  f"peak sampled {peak_rss[pid] / 1024:.0f} MiB, VmHWM {memory[pid].get('VmHWM', 0) / 1024:.0f} MiB")
        p99 = percentile([s * 1000 for s in rec.latency("submit (POST)")], 99)
        worst = max((m.get("VmHWM", 0) for m in memory.values()), default=0) / 1024
        print("\nverification: " + ("all promises hold" if not problems else f"{len(problems)} PROBLEMS"))
        for line in problems[:50]:
            print("  - " + line)
        print(f"goals: zero lost or duplicated submissions: {'MET' if not problems else 'MISSED'}; "
              f"p99 submit < 1 s: {'MET' if p99 < 1000 else 'MISSED'} ({p99:.0f} ms); "
              f"web worker < 150 MB resident: {'MET' if worst < 150 else 'MISSED'} (peak {worst:.0f} MiB)")
        return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
