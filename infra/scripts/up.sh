#!/usr/bin/env bash
# `npm start`: check the settings, install, make Postgres (and Redis, when there is one) reachable,
# build when the sources changed, migrate, then run the API and the worker in the foreground until
# Ctrl-C or `npm stop` (or until either of them exits), and stop everything this run started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# Before anything slow: a wrong setting fails now, not after the install and build.
node infra/scripts/check-settings.mjs

# shellcheck source=lib.sh
source infra/scripts/lib.sh
# shellcheck source=lifecycle.sh
source infra/scripts/lifecycle.sh

if running="$(live_start_pid)"; then
  die "Dispatch is already running from this data dir (npm start, pid $running); stop it with npm stop"
fi
# A run that was killed outright could not stop what it started: do it now, then start afresh.
stop_started_services
mkdir -p "$DISPATCH_RUN_DIR"
echo "$$" >"$START_PID_FILE"
export DISPATCH_RUN_DIR

worker_pid=""
api_pid=""
stop_all() {
  trap - INT TERM EXIT
  log "stopping"
  [ -n "$api_pid" ] && kill -TERM "$api_pid" 2>/dev/null || true
  [ -n "$worker_pid" ] && kill -TERM "$worker_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  stop_started_services
  rm -f "$START_PID_FILE"
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'rc=$?; stop_all; exit $rc' EXIT

export PORT="${PORT:-3000}"
export DISPATCH_ALLOW_PRIVATE_DESTINATIONS="${DISPATCH_ALLOW_PRIVATE_DESTINATIONS:-false}"
# Otherwise the health check below could be answered by whatever already holds the port.
if tcp_reachable 127.0.0.1 "$PORT"; then
  die "port $PORT is already in use (another Dispatch?); stop it or set PORT"
fi

# Secrets: generated for a local run when not given. The processes have no built-in encryption key
# and refuse to start without one, so a local install gets its own random key, kept in the data dir
# so secrets sealed by one run can be opened by the next. A key ring (DISPATCH_ENCRYPTION_KEYS) is used as given.
notes=()
if [ -z "${DISPATCH_ENCRYPTION_KEY:-}" ] && [ -z "${DISPATCH_ENCRYPTION_KEYS:-}" ]; then
  key_file="$DISPATCH_DATA_DIR/encryption-key"
  if [ ! -s "$key_file" ]; then
    mkdir -p "$DISPATCH_DATA_DIR"
    (umask 077 && node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("base64"))' >"$key_file")
    notes+=("DISPATCH_ENCRYPTION_KEY was unset: generated one into $key_file (reused by later runs; keep it and back it up: it opens the stored webhook secrets and custom headers)")
  fi
  chmod 600 "$key_file"
  DISPATCH_ENCRYPTION_KEY="$(cat "$key_file")"
fi
export DISPATCH_ENCRYPTION_KEY
DISPATCH_ADMIN_TOKEN="$(admin_token)"
export DISPATCH_ADMIN_TOKEN

ensure_pnpm
install_started=$SECONDS
install_deps
install_seconds=$((SECONDS - install_started))
# With dependencies installed the apps' own schemas judge every setting, still before the build.
node_modules/.bin/tsx --conditions=dispatch-source infra/scripts/check-config.ts

services_started=$SECONDS
ensure_services
services_seconds=$((SECONDS - services_started))
build_started=$SECONDS
build_if_changed
build_seconds=$((SECONDS - build_started))

log "applying migrations"
node apps/api/dist/migrate.js

node apps/worker/dist/main.js &
worker_pid=$!
node apps/api/dist/main.js &
api_pid=$!

base_url="http://127.0.0.1:${PORT}"
healthy=""
for ((i = 0; i < 120; i++)); do
  if ! kill -0 "$api_pid" 2>/dev/null || ! kill -0 "$worker_pid" 2>/dev/null; then
    break
  fi
  if node -e '
    fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
      .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));
  ' "$base_url/healthz"; then
    healthy=1
    break
  fi
  sleep 0.5
done
[ -n "$healthy" ] || die "the API did not answer $base_url/healthz (or a process exited); stopping"

token_file="${DISPATCH_DATA_DIR#"$DISPATCH_ROOT"/}/admin-token"
cat <<EOF

Dispatch is up: $base_url  (API pid $api_pid, worker pid $worker_pid; Ctrl-C here or npm stop elsewhere stops everything)
Started in ${SECONDS} s: install ${install_seconds} s, Postgres/Redis ${services_seconds} s, build ${build_seconds} s
API reference: $base_url/docs   Console: $base_url/console
Admin token (Authorization: Bearer ...): $DISPATCH_ADMIN_TOKEN  (kept in $token_file)
Queue: ${DISPATCH_QUEUE_BACKEND:-redis}   Private destinations (local receivers): $DISPATCH_ALLOW_PRIVATE_DESTINATIONS
EOF
for note in ${notes[@]+"${notes[@]}"}; do printf 'Note: %s\n' "$note"; done
cat <<EOF

Next, in another terminal (README "Quick start"):
  export DISPATCH_URL=$base_url DISPATCH_ADMIN_TOKEN=\$(cat $token_file)
  npm run dispatch -- workspaces create --name Acme

EOF

# Run until either process exits, then take the other one down too. (Polling rather than
# `wait -n`, which needs bash 5.1 for pid arguments; `sleep & wait` keeps Ctrl-C immediate.)
while kill -0 "$api_pid" 2>/dev/null && kill -0 "$worker_pid" 2>/dev/null; do
  sleep 1 &
  wait $! || true
done
rc=0
if ! kill -0 "$api_pid" 2>/dev/null; then
  wait "$api_pid" || rc=$?
  warn "the API exited (status $rc); stopping the worker"
else
  wait "$worker_pid" || rc=$?
  warn "the worker exited (status $rc); stopping the API"
fi
exit "$rc"
