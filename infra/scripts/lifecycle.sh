# shellcheck shell=bash
# The life of one `npm start` (sourced by up.sh and down.sh, after lib.sh): which run is live, stopping
# what it started, the admin token kept across runs, and skipping a build that would change nothing.

DISPATCH_RUN_DIR="$DISPATCH_DATA_DIR/run"
START_PID_FILE="$DISPATCH_RUN_DIR/start.pid"

# The pid of a live `npm start` of this data dir, if any.
live_start_pid() {
  local pid
  [ -f "$START_PID_FILE" ] || return 1
  pid="$(tr -d '[:space:]' <"$START_PID_FILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

# Stops what record_started listed, last started first, and forgets it.
stop_started_services() {
  local file="$DISPATCH_RUN_DIR/services" kind a b pid
  [ -f "$file" ] || return 0
  while read -r kind a b; do
    case "$kind" in
      pg_ctl)
        log "stopping Postgres ($b)"
        run_pg_tool "$a/pg_ctl" -D "$b" -m fast -w stop >/dev/null 2>&1 || warn "pg_ctl stop failed for $b"
        ;;
      pg_ctlcluster)
        log "stopping system Postgres cluster $a/$b"
        pg_ctlcluster --skip-systemctl-redirect "$a" "$b" stop || warn "pg_ctlcluster $a $b stop failed"
        ;;
      redis)
        pid="$(cat "$a" 2>/dev/null || true)"
        log "stopping redis-server (pid ${pid:-?})"
        [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
        ;;
      compose)
        log "stopping the $a container (docker compose stop $a)"
        compose stop "$a" >/dev/null || warn "docker compose stop $a failed"
        ;;
    esac
  done < <(tac "$file" 2>/dev/null || tail -r "$file")
  rm -f "$file"
}

# The operator token: DISPATCH_ADMIN_TOKEN when given (used as is, not stored); otherwise the one kept
# in the data dir (mode 600) by an earlier run, or a new one when there is none or DISPATCH_NEW_ADMIN_TOKEN
# is true. Keeping it means a restart (say, to allow private destinations) does not log everyone out.
admin_token() {
  local file="$DISPATCH_DATA_DIR/admin-token"
  if [ -n "${DISPATCH_ADMIN_TOKEN:-}" ]; then
    printf '%s' "$DISPATCH_ADMIN_TOKEN"
    return 0
  fi
  case "${DISPATCH_NEW_ADMIN_TOKEN:-}" in true | 1 | yes) rm -f "$file" ;; esac
  if [ ! -s "$file" ]; then
    mkdir -p "$DISPATCH_DATA_DIR"
    (umask 077 && node -e 'process.stdout.write(require("node:crypto").randomBytes(24).toString("base64url"))' >"$file")
    log "generated an admin token into ${file#"$DISPATCH_ROOT"/} (kept for later runs; DISPATCH_NEW_ADMIN_TOKEN=true makes a new one)"
  fi
  chmod 600 "$file"
  cat "$file"
}

# Builds unless the sources, manifests and lockfile hash to what the last successful build recorded
# (and its output is still there).
build_if_changed() {
  local hash_file="$DISPATCH_DATA_DIR/build-hash" hash
  hash="$(node "$DISPATCH_ROOT/infra/scripts/source-hash.mjs")"
  if [ -f apps/api/dist/main.js ] && [ -f apps/worker/dist/main.js ] && [ "$(cat "$hash_file" 2>/dev/null)" = "$hash" ]; then
    log "sources unchanged since the last build: skipping it"
    return 0
  fi
  log "building ($PNPM -r build)"
  $PNPM -r build
  mkdir -p "$DISPATCH_DATA_DIR"
  printf '%s' "$hash" >"$hash_file"
}
