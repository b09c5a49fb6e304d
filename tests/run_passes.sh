#!/usr/bin/env bash
# `make test`'s pytest part: three processes side by side, so both cores work the whole time.
#
#   PostgreSQL, part 1: the security and worker tests, the application tests of the parts
#           beside the database (storage, API, webhooks, probes, jobs; $ONCE below) and a few
#           application tests taken over from part 2 ($SHIFTED)
#                                                            (log: test-output/postgresql-1.log)
#   PostgreSQL, part 2: everything else (the application, marketplace and browser tests), printed
#           as it runs
#   SQLite: the application and marketplace tests again, on the database `make run` uses
#           (not the PostgreSQL-only lock tests), and what runs once and needs no PostgreSQL:
#           the demo's loaders, the pages' language and configuration checks, the permission
#           matrix and the security headers ($SQLITE_ONCE: access rules and headers are the
#           app's, not the database's; the demo is what `make run` loads into SQLite and
#           test_demo_walk.py walks it on both),
#           the pure scoring and matching engines and the repository checks ($PURE)
#                                                            (log: test-output/sqlite.log)
#
# Browser, security, worker and pure tests do not depend on the database's dialect and run once.
# Each process starts its own services (PostgreSQL cluster, Redis, Celery worker, SMTP) on free
# ports with its own temporary directory. Either log is printed when its part ends; any part
# failing fails the run. Extra arguments go to every part (e.g. -x). The parts are sized so
# they end at about the same time: each log ends with its slowest tests.
set -u
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
TMP=${TMPDIR:-/tmp}
mkdir -p test-output

# Application tests of the parts beside the database (object storage, the API over its services,
# webhooks, probes and logs, jobs) depend on no SQL dialect: they run once, here, which also
# evens the three processes out.
ONCE="tests/app/test_api.py tests/app/test_api_schema.py tests/app/test_storage.py tests/app/test_webhooks.py
      tests/app/test_health_and_logs.py tests/app/test_jobs.py tests/app/test_two_nodes.py"
SQLITE_ONCE="tests/app/test_demo.py tests/app/test_demo_digital_hub.py tests/app/test_demo_award.py
             tests/app/test_language.py tests/app/test_config.py
             tests/security/test_permission_matrix.py tests/security/test_headers_and_redirects.py"
PURE="tests/scoring tests/matching tests/test_catalog.py tests/test_particles.py tests/test_programme_neutral.py
      tests/test_structure.py"
# Application tests PostgreSQL part 1 takes over from part 2, only to even the two out.
SHIFTED="tests/app/test_call_stages.py tests/app/test_honorarium_statements.py tests/app/test_query_counts.py
         tests/app/test_result_integrity.py"
ignore() { for f in "$@"; do printf -- '--ignore=%s ' "$f"; done; }

# shellcheck disable=SC2086
$PY -m pytest --db=postgresql tests/security tests/workers $ONCE $SHIFTED $(ignore $SQLITE_ONCE) -q --durations=10 \
    --basetemp="$TMP/gongmo-pytest-pg1" "$@" > test-output/postgresql-1.log 2>&1 &
pg1=$!
# shellcheck disable=SC2086
$PY -m pytest --db=sqlite -m "not pg_only" tests/app tests/market $SQLITE_ONCE $PURE $(ignore $ONCE) -q --durations=10 \
    --basetemp="$TMP/gongmo-pytest-sqlite" "$@" > test-output/sqlite.log 2>&1 &
lite=$!
trap 'kill $pg1 $lite 2>/dev/null' INT TERM

# shellcheck disable=SC2086
$PY -m pytest --db=postgresql tests $(ignore tests/security tests/workers $ONCE $SHIFTED $SQLITE_ONCE $PURE) \
    --durations=15 \
    --basetemp="$TMP/gongmo-pytest-pg2" "$@"
pg2=$?
wait $pg1; pg1_status=$?
wait $lite; lite_status=$?

echo "=== PostgreSQL, part 1 (test-output/postgresql-1.log)"; cat test-output/postgresql-1.log
echo "=== SQLite (test-output/sqlite.log)"; cat test-output/sqlite.log
echo "=== exit status: PostgreSQL part 1 $pg1_status, part 2 $pg2, SQLite $lite_status"
[ "$pg1_status" -eq 0 ] && [ "$pg2" -eq 0 ] && [ "$lite_status" -eq 0 ]
