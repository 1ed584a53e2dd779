#!/usr/bin/env bash
# A local rightsdesk cluster in one command: PostgreSQL and a broker (started when not running),
# a fresh database, the demo platform, `rightsdesk serve` and N `rightsdesk worker` processes on
# this machine. Ctrl-C (or SIGTERM) stops every process it started. See docs/deployment.md.
#
#   scripts/cluster.sh                 # or: make cluster
#   WORKERS=4 PORT=8080 scripts/cluster.sh
#
# Settings (environment): WORKERS (2), CONCURRENCY per worker (2), PORT of the API (8000),
# METRICS_PORT first worker metrics port (9101, then 9102, ...), CLUSTER_DIR (.rightsdesk-cluster),
# CLUSTER_DB (rightsdesk_cluster, dropped and created afresh), CLUSTER_PG_ADMIN (an admin URL),
# RIGHTSDESK_BROKER_URL (redis://127.0.0.1:6379/2, or amqp://guest:guest@127.0.0.1:5672//),
# PEOPLE on the demo platform (1000). Process logs (JSON lines) go to $CLUSTER_DIR/logs/.
set -euo pipefail

cd "$(dirname "$0")/.."
WORKERS=${WORKERS:-2}
CONCURRENCY=${CONCURRENCY:-2}
PORT=${PORT:-8000}
METRICS_PORT=${METRICS_PORT:-9101}
DIR=$(realpath -m "${CLUSTER_DIR:-.rightsdesk-cluster}")
DB=${CLUSTER_DB:-rightsdesk_cluster}
PG_ADMIN=${CLUSTER_PG_ADMIN:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}
BROKER=${RIGHTSDESK_BROKER_URL:-redis://127.0.0.1:6379/2}
PEOPLE=${PEOPLE:-1000}
BIN=${RIGHTSDESK_BIN:-.venv/bin}
PY=$BIN/python
RD=$BIN/rightsdesk

say() { echo "cluster: $*" >&2; }
die() { say "$*"; exit 1; }

wait_for() {  # name, check command...
    local name=$1; shift
    for _ in $(seq 1 60); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 1
    done
    die "$name did not come up"
}

[ -x "$RD" ] || die "no $RD: run 'make install' first"

# --- services -------------------------------------------------------------------------------
pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q; }
if ! pg_up 2>/dev/null; then
    say "starting PostgreSQL"
    command -v pg_ctlcluster >/dev/null || die "PostgreSQL is not installed"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
wait_for PostgreSQL pg_up

case "$BROKER" in
    redis://*)
        redis_up() { redis-cli -u "$BROKER" ping | grep -q PONG; }
        if ! redis_up 2>/dev/null; then
            say "starting Redis"
            command -v redis-server >/dev/null || die "Redis is not installed"
            redis-server --port 6379 --daemonize yes --save "" --appendonly no >/dev/null
        fi
        wait_for Redis redis_up ;;
    amqp://*|pyamqp://*)
        rabbit_up() { rabbitmq-diagnostics -q ping; }
        if ! rabbit_up 2>/dev/null; then
            say "starting RabbitMQ"
            command -v rabbitmq-server >/dev/null || die "RabbitMQ is not installed"
            rabbitmq-server -detached
        fi
        wait_for RabbitMQ rabbit_up ;;
    *) die "RIGHTSDESK_BROKER_URL must be redis://... or amqp://..." ;;
esac

# --- a fresh database, the demo platform, keys shared by every process -----------------------
mkdir -p "$DIR/logs" "$DIR/state"
DATABASE_URL=$("$PY" - "$PG_ADMIN" "$DB" <<'EOF'
import sys
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

admin, name = make_url(sys.argv[1]), sys.argv[2]
if not name.replace("_", "").isalnum():
    raise SystemExit(f"CLUSTER_DB must be letters, digits and underscores: {name!r}")
engine = create_engine(admin, isolation_level="AUTOCOMMIT")
with engine.connect() as conn:
    conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    conn.execute(text(f"CREATE DATABASE {name}"))
engine.dispose()
print(admin.set(database=name).render_as_string(hide_password=False))
EOF
)
say "database $DB created"
DATAMAP=$("$PY" -c 'import sys; from pathlib import Path; from rightsdesk.demo import direct as demo
print(demo.build(Path(sys.argv[1]), int(sys.argv[2])))' "$DIR/demo" "$PEOPLE")
say "demo platform with $PEOPLE people at $DIR/demo"

# every process must share the secrets (codes hashed by the API are checked by workers, ...)
if [ ! -f "$DIR/keys.env" ]; then
    (umask 077; "$PY" - > "$DIR/keys.env" <<'EOF'
import base64, secrets
print(f"export RIGHTSDESK_SECRET_KEY={secrets.token_hex(32)}")
print(f"export RIGHTSDESK_MASKING_KEY={secrets.token_hex(32)}")
print(f"export RIGHTSDESK_VAULT_MASTER_KEY={base64.b64encode(secrets.token_bytes(32)).decode()}")
EOF
    )
fi
# shellcheck source=/dev/null
source "$DIR/keys.env"
{
    printf 'export RIGHTSDESK_DATABASE_URL=%q\n' "$DATABASE_URL"
    printf 'export RIGHTSDESK_DATAMAP=%q\n' "$DATAMAP"
    printf 'export RIGHTSDESK_STATE_DIR=%q\n' "$DIR/state"
    printf 'export RIGHTSDESK_JOB_BACKEND=celery\n'
    printf 'export RIGHTSDESK_BROKER_URL=%q\n' "$BROKER"
    printf 'export RIGHTSDESK_MAIL_URL=%q\n' "file://$DIR/outbox"
    printf 'export RIGHTSDESK_PUBLIC_URL=%q\n' "http://127.0.0.1:$PORT"
    printf 'export RIGHTSDESK_LOG_FORMAT=json\n'
    printf 'export RIGHTSDESK_METRICS_ANONYMOUS=%q\n' '["127.0.0.1/32"]'
    cat "$DIR/keys.env"
} > "$DIR/cluster.env"
chmod 600 "$DIR/cluster.env"
# shellcheck source=/dev/null
source "$DIR/cluster.env"
"$RD" db upgrade >/dev/null

# --- the processes --------------------------------------------------------------------------
PIDS=()
stop() {
    trap - INT TERM EXIT
    if [ ${#PIDS[@]} -gt 0 ]; then
        say "stopping ${#PIDS[@]} process(es)"
        kill -TERM "${PIDS[@]}" 2>/dev/null || true
        for _ in $(seq 1 20); do
            kill -0 "${PIDS[@]}" 2>/dev/null || break
            sleep 0.5
        done
        kill -KILL "${PIDS[@]}" 2>/dev/null || true
        wait "${PIDS[@]}" 2>/dev/null || true
    fi
    say "stopped"
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

NAMES=()
start() {  # name, command...: a process of the cluster, logging to $DIR/logs/<name>.log
    local name=$1; shift
    "$@" 2>"$DIR/logs/$name.log" &
    PIDS+=($!)
    NAMES+=("$name")
}
ended() {  # sets GONE and STATUS to the first process no longer running (in this shell: wait)
    local i
    for i in "${!PIDS[@]}"; do
        if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
            GONE=${NAMES[$i]}
            wait "${PIDS[$i]}" && STATUS=0 || STATUS=$?
            return 0
        fi
    done
    return 1
}
crashed() {  # name, status
    die "$1 exited ($2): $(tail -n 1 "$DIR/logs/$1.log" 2>/dev/null); see $DIR/logs/"
}

start api "$RD" serve --host 127.0.0.1 --port "$PORT"
URLS=("http://127.0.0.1:$PORT/healthz")
for i in $(seq 1 "$WORKERS"); do
    start "worker-$i" "$RD" worker --concurrency "$CONCURRENCY" \
        --metrics-port $((METRICS_PORT + i - 1))
    URLS+=("http://127.0.0.1:$((METRICS_PORT + i - 1))/metrics")
done

# up means every process answers (the API its /healthz, each worker its metrics port): a worker
# that cannot start (its port taken, say) stops the cluster before "up", never after it
answer() { "$PY" -c 'import sys, httpx
for url in sys.argv[1:]: httpx.get(url, timeout=1).raise_for_status()' "${URLS[@]}"; }
for _ in $(seq 1 120); do
    if answer >/dev/null 2>&1; then break; fi
    if ended; then crashed "$GONE" "$STATUS"; fi
    sleep 0.5
done
answer >/dev/null 2>&1 || die "the cluster did not come up in time; see $DIR/logs/"

cat >&2 <<EOF
cluster: up: API http://127.0.0.1:$PORT (docs at /docs, metrics at /metrics), $WORKERS worker(s)
cluster: worker metrics on ports $METRICS_PORT..$((METRICS_PORT + WORKERS - 1)); logs in $DIR/logs/
cluster: in another shell: source $DIR/cluster.env && $RD apikey create me --scope decide
cluster: mail (verification codes) goes to $DIR/outbox/; Ctrl-C stops everything
EOF

# run until interrupted; when a process ends, stop the rest (and fail if it crashed).
# Ctrl-C in a terminal signals every process of the group, so the processes may end before
# this shell runs its trap: a clean exit (0, or killed by INT/TERM) is that, not a crash.
while true; do
    if ended; then
        case $STATUS in
            0|130|143) say "$GONE stopped"; exit 0 ;;
            *) crashed "$GONE" "$STATUS" ;;
        esac
    fi
    sleep 1
done
