#!/usr/bin/env bash
# `npm start`: install, make Postgres and Redis reachable, build, migrate, then run the API and the
# worker in the foreground until Ctrl-C (or until either of them exits).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=lib.sh
source infra/scripts/lib.sh

ensure_pnpm
install_deps

export PORT="${PORT:-3000}"
export DISPATCH_ALLOW_PRIVATE_DESTINATIONS="${DISPATCH_ALLOW_PRIVATE_DESTINATIONS:-false}"

# Secrets: generated for a local run when not given. The processes have no built-in encryption key
# and refuse to start without one, so a local install gets its own random key, kept in .data so
# secrets sealed by one run can be opened by the next. A key ring (DISPATCH_ENCRYPTION_KEYS) is used as given.
notes=()
if [ -z "${DISPATCH_ENCRYPTION_KEY:-}" ] && [ -z "${DISPATCH_ENCRYPTION_KEYS:-}" ]; then
  key_file="$DISPATCH_DATA_DIR/encryption-key"
  if [ ! -s "$key_file" ]; then
    mkdir -p "$DISPATCH_DATA_DIR"
    (umask 077 && node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("base64"))' >"$key_file")
    notes+=("DISPATCH_ENCRYPTION_KEY was unset: generated one into $key_file (reused by later runs; keep it and back it up: it opens the stored webhook secrets and custom headers)")
  else
    notes+=("DISPATCH_ENCRYPTION_KEY was unset: using the key in $key_file")
  fi
  chmod 600 "$key_file"
  DISPATCH_ENCRYPTION_KEY="$(cat "$key_file")"
fi
export DISPATCH_ENCRYPTION_KEY

if [ -z "${DISPATCH_ADMIN_TOKEN:-}" ]; then
  DISPATCH_ADMIN_TOKEN="$(node -e 'process.stdout.write(require("node:crypto").randomBytes(24).toString("base64url"))')"
  notes+=("DISPATCH_ADMIN_TOKEN was unset: generated one for this run (set it yourself to keep it stable)")
fi
export DISPATCH_ADMIN_TOKEN

ensure_services

log "building ($PNPM -r build)"
$PNPM -r build

log "applying migrations"
node apps/api/dist/migrate.js

worker_pid=""
api_pid=""

stop_children() {
  trap - INT TERM
  log "stopping"
  [ -n "$api_pid" ] && kill -TERM "$api_pid" 2>/dev/null || true
  [ -n "$worker_pid" ] && kill -TERM "$worker_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap 'stop_children; exit 130' INT
trap 'stop_children; exit 143' TERM

# Otherwise the health check below could be answered by whatever already holds the port.
if tcp_reachable 127.0.0.1 "$PORT"; then
  die "port $PORT is already in use (another Dispatch?); stop it or set PORT"
fi

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
if [ -z "$healthy" ]; then
  warn "the API did not answer $base_url/healthz (or a process exited); stopping"
  stop_children
  exit 1
fi

cat <<EOF

Dispatch is up: $base_url  (API pid $api_pid, worker pid $worker_pid; Ctrl-C stops both)
Console: $base_url/console  (sign in with a workspace API key, or the admin token below)

Admin token (Authorization: Bearer ...): $DISPATCH_ADMIN_TOKEN
EOF
for note in ${notes[@]+"${notes[@]}"}; do printf 'Note: %s\n' "$note"; done
cat <<EOF

Create a workspace and its first API key (a key with every scope), with the CLI (an HTTP client of the API):
  DISPATCH_URL=$base_url DISPATCH_ADMIN_TOKEN='$DISPATCH_ADMIN_TOKEN' \\
    npm run dispatch -- workspaces create --name Acme --features integrations

or over HTTP:
  curl -s -X POST $base_url/api/admin/workspaces \\
    -H 'Authorization: Bearer $DISPATCH_ADMIN_TOKEN' -H 'content-type: application/json' \\
    -d '{"name":"Acme","features":["integrations"]}'
  curl -s -X POST $base_url/api/admin/workspaces/<ws_… from above>/keys \\
    -H 'Authorization: Bearer $DISPATCH_ADMIN_TOKEN' -H 'content-type: application/json' \\
    -d '{"name":"backend","scopes":["links:read","links:write","webhooks:read","webhooks:manage","events:write"]}'

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
stop_children
exit "$rc"
