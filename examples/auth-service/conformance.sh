#!/usr/bin/env bash
# Runs schemathesis against auth-service: starts the service on 127.0.0.1 with a temporary
# database and outbox, logs in as the demo user, sends generated requests for every operation
# of spec/auth.yaml with the demo user's access token, and stops the service.
#
# It checks that no response is a server error and that every response conforms to the spec
# (status code, content type, headers and body schema). It exits non-zero when schemathesis
# reports a failure or when the service logged a panic or an undocumented outcome.
#
# Settings (environment variables):
#   PORT            port on 127.0.0.1 (default 18080)
#   MAX_EXAMPLES    test cases per operation and phase (default 20)
#   MAX_TIME        time budget of the whole schemathesis run in seconds (default 240)
#   SEED            schemathesis seed, for reproducible runs (default 1)
#   SCHEMATHESIS    schemathesis executable; when unset, a virtualenv in
#                   /tmp/auth-service-schemathesis is created with `pip install schemathesis`
#   KEEP_WORK=1     keep the temporary folder with the service log and reports
# Arguments are passed on to `schemathesis run`, for example
# `--include-operation-id verifyTotp` to test one operation.
set -euo pipefail

cd "$(dirname "$0")/../.."
PORT="${PORT:-18080}"
MAX_EXAMPLES="${MAX_EXAMPLES:-20}"
MAX_TIME="${MAX_TIME:-240}"
SEED="${SEED:-1}"
BASE="http://127.0.0.1:${PORT}"
WORK="$(mktemp -d /tmp/auth-conformance.XXXXXX)"
SERVICE_PID=""

cleanup() {
    if [ -n "$SERVICE_PID" ] && kill -0 "$SERVICE_PID" 2>/dev/null; then
        kill "$SERVICE_PID"
        wait "$SERVICE_PID" 2>/dev/null || true
    fi
    if [ "${KEEP_WORK:-0}" = "1" ]; then
        echo "Service log and reports kept in $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

if [ -z "${SCHEMATHESIS:-}" ]; then
    VENV=/tmp/auth-service-schemathesis
    if [ ! -x "$VENV/bin/schemathesis" ]; then
        echo "== installing schemathesis into $VENV"
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install --quiet schemathesis
    fi
    SCHEMATHESIS="$VENV/bin/schemathesis"
fi
"$SCHEMATHESIS" --version

echo "== building auth-service"
cargo build --quiet -p auth-service

# Cheap password hashing keeps the many generated logins fast in a debug build, and a one-hour
# access token outlives the run, so requests reach the service's own checks.
cat > "$WORK/config.toml" <<TOML
listen = "127.0.0.1:${PORT}"
database = "${WORK}/auth.sqlite3"

[tokens]
access_seconds = 3600

[mail]
outbox = "${WORK}/outbox"

[password_hashing]
memory_kib = 1024
iterations = 1
parallelism = 1
TOML

echo "== starting auth-service on $BASE"
"${CARGO_TARGET_DIR:-target}/debug/auth-service" --config "$WORK/config.toml" > "$WORK/service.out" 2> "$WORK/service.log" &
SERVICE_PID=$!
for _ in $(seq 1 100); do
    if curl -s -o /dev/null "$BASE/auth/refreshtoken/validate"; then
        break
    fi
    if ! kill -0 "$SERVICE_PID" 2>/dev/null; then
        echo "auth-service exited during start:" >&2
        cat "$WORK/service.log" >&2
        exit 1
    fi
    sleep 0.2
done

echo "== logging in as the demo user"
REFRESH="$(curl -sf -X POST "$BASE/auth/login" -H 'Content-Type: application/json' \
    -d '{"username":"demo@example.com","password":"DemoPassw0rd"}')"
ACCESS="$(curl -sf "$BASE/auth/accesstoken" -H "Authorization: Bearer $REFRESH")"

echo "== running schemathesis (max $MAX_EXAMPLES examples per operation, at most $MAX_TIME s)"
# Every request must stay on this machine: a proxy on a closed local port catches any request
# to another host, and only 127.0.0.1 is reached directly.
export HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
# schemathesis keeps a cache in its working folder, so it runs in the temporary folder.
SPEC="$PWD/spec/auth.yaml"
status=0
(cd "$WORK" && "$SCHEMATHESIS" run "$SPEC" \
    --url "$BASE" \
    --header "Authorization: Bearer $ACCESS" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing \
    --max-examples "$MAX_EXAMPLES" \
    --max-time "$MAX_TIME" \
    --request-timeout 10 \
    --seed "$SEED" \
    --generation-database none \
    --workers 2 \
    --no-color \
    --report junit --report-dir "$WORK/report" \
    "$@") || status=$?

echo "== service log: panics and undocumented outcomes"
if grep -E "panicked|returned an error|documents no response" "$WORK/service.log"; then
    status=1
else
    echo "none"
fi
exit "$status"
