# shellcheck shell=bash
# Helpers sourced by up.sh and test.sh. They assume the caller has cd'ed to the repo root
# (DISPATCH_ROOT is derived from this file's location, so they also work from elsewhere).
# Needs only bash and Node 20; pnpm, Postgres and Redis are found or started on demand.

DISPATCH_ROOT="${DISPATCH_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
DISPATCH_DATA_DIR="${DISPATCH_DATA_DIR:-$DISPATCH_ROOT/.data}"
DISPATCH_PNPM_VERSION="12.4.2"
DEFAULT_DATABASE_URL="postgres://postgres@127.0.0.1:5432/dispatch"
DEFAULT_REDIS_URL="redis://127.0.0.1:6379"
SERVICE_WAIT_SECONDS="${SERVICE_WAIT_SECONDS:-20}"

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# --- pnpm -----------------------------------------------------------------------------------

# Sets PNPM to "pnpm" when the one on PATH is exactly the pinned version, else to an npx call
# (pnpm releases after 12.4.2 do not install here, and corepack fails signature checks).
ensure_pnpm() {
  local v
  v="$(COREPACK_ENABLE_DOWNLOAD_PROMPT=0 pnpm --version </dev/null 2>/dev/null | tail -n1 | tr -d '[:space:]')" || v=""
  if [ "$v" = "$DISPATCH_PNPM_VERSION" ]; then
    PNPM="pnpm"
  else
    PNPM="npx -y pnpm@$DISPATCH_PNPM_VERSION"
    log "pnpm $DISPATCH_PNPM_VERSION not on PATH (found: ${v:-none}); using '$PNPM'"
  fi
  export PNPM
}

install_deps() {
  [ -n "${PNPM:-}" ] || ensure_pnpm
  local args=(install --reporter=append-only --loglevel=warn)
  if [ "${CI:-}" = "true" ] || [ -f "$DISPATCH_ROOT/pnpm-lock.yaml" ]; then
    args+=(--frozen-lockfile)
  fi
  log "installing dependencies ($PNPM ${args[*]})"
  (cd "$DISPATCH_ROOT" && $PNPM "${args[@]}")
}

# --- probes ---------------------------------------------------------------------------------

# Prints "host port" for a URL, filling in the default port. Node parses it, so user:pass@,
# percent-encoding and [::1] are handled the same way the apps will handle them.
url_host_port() {
  node -e '
    const u = new URL(process.argv[1]);
    const host = u.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1";
    process.stdout.write(host + " " + (u.port || process.argv[2]) + "\n");
  ' "$1" "$2"
}

# Pure-bash TCP probe: succeeds when something accepts connections on host:port.
tcp_reachable() {
  local host="$1" port="$2"
  if command -v timeout >/dev/null 2>&1; then
    timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null
  else
    bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null
  fi
}

wait_reachable() {
  local what="$1" host="$2" port="$3" i
  for ((i = 0; i < SERVICE_WAIT_SECONDS * 4; i++)); do
    tcp_reachable "$host" "$port" && return 0
    sleep 0.25
  done
  return 1
}

is_local_host() {
  case "$1" in
    127.0.0.1 | localhost | ::1) return 0 ;;
    *) return 1 ;;
  esac
}

docker_usable() {
  command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1
}

# The compose file's postgres and redis need passwords. Given in the environment they are used as
# they are; otherwise one is generated per service and kept in .data, because the Postgres volume
# keeps the password of its first start and every later run must present the same one.
compose_password() {
  local service="$1" var file
  var="DISPATCH_$(printf '%s' "$service" | tr '[:lower:]' '[:upper:]')_PASSWORD"
  if [ -n "${!var:-}" ]; then
    printf '%s' "${!var}"
    return 0
  fi
  file="$DISPATCH_DATA_DIR/compose-$service-password"
  if [ ! -s "$file" ]; then
    mkdir -p "$DISPATCH_DATA_DIR"
    (umask 077 && node -e 'process.stdout.write(require("node:crypto").randomBytes(24).toString("hex"))' >"$file")
  fi
  cat "$file"
}

# docker compose on the compose file plus infra/compose.local-services.yml, which publishes postgres
# and redis on 127.0.0.1 (the compose file alone publishes neither). The compose file requires an
# admin token for the api/worker services; only a backing service starts here, so a throwaway random
# one does. (No encryption key: the processes refuse to start without one; no placeholder exists.)
compose() {
  (cd "$DISPATCH_ROOT" &&
    DISPATCH_POSTGRES_PASSWORD="$(compose_password postgres)" \
    DISPATCH_REDIS_PASSWORD="$(compose_password redis)" \
    DISPATCH_ADMIN_TOKEN="${DISPATCH_ADMIN_TOKEN:-$(node -e 'process.stdout.write(require("node:crypto").randomBytes(24).toString("base64url"))')}" \
      docker compose -f docker-compose.yml -f infra/compose.local-services.yml "$@")
}

start_with_docker() {
  local service="$1"
  log "starting $service with docker compose (published on 127.0.0.1, password in ${DISPATCH_DATA_DIR#"$DISPATCH_ROOT"/}/compose-$service-password unless given)"
  compose up -d "$service"
}

# Whether what answers on the local port is the compose service this checkout started (now or in an
# earlier run). Asks Docker only when such a run left its password behind (or one is given).
compose_serves() {
  local service="$1" var
  var="DISPATCH_$(printf '%s' "$service" | tr '[:lower:]' '[:upper:]')_PASSWORD"
  [ -s "$DISPATCH_DATA_DIR/compose-$service-password" ] || [ -n "${!var:-}" ] || return 1
  docker_usable || return 1
  [ -n "$(compose ps -q --status running "$service" 2>/dev/null)" ]
}

# The URL with the compose service's password, unless it already names one.
with_compose_password() {
  node -e '
    const u = new URL(process.argv[1]);
    if (!u.password) u.password = process.argv[2];
    process.stdout.write(u.toString());
  ' "$1" "$(compose_password "$2")"
}

# What `npm start` started (services it found running are not its own), one line each, so Ctrl-C or
# `npm stop` stops exactly those. Recorded only when DISPATCH_RUN_DIR is set (up.sh sets it; `npm test`
# leaves what it starts running for the next run).
record_started() {
  [ -n "${DISPATCH_RUN_DIR:-}" ] || return 0
  mkdir -p "$DISPATCH_RUN_DIR"
  printf '%s\n' "$1" >>"$DISPATCH_RUN_DIR/services"
}

# shellcheck source=postgres.sh
source "$DISPATCH_ROOT/infra/scripts/postgres.sh"

# --- Redis ----------------------------------------------------------------------------------

start_local_redis() {
  local port="$1"
  mkdir -p "$DISPATCH_DATA_DIR"
  log "starting project-local redis-server on 127.0.0.1:$port (log: $DISPATCH_DATA_DIR/redis-$port.log)"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --dir "$DISPATCH_DATA_DIR" --logfile "$DISPATCH_DATA_DIR/redis-$port.log" \
    --pidfile "$DISPATCH_DATA_DIR/redis-$port.pid" >/dev/null ||
    die "redis-server failed to start; see $DISPATCH_DATA_DIR/redis-$port.log"
  record_started "redis $DISPATCH_DATA_DIR/redis-$port.pid"
}

ensure_redis() {
  local url="$1" host port
  case "$url" in
    redis+cluster://* | rediss+cluster://* | redis+sentinel://* | rediss+sentinel://*)
      # Several seed nodes: the apps connect and fail over themselves; there is no one server to probe or start.
      log "REDIS_URL names a Redis Cluster or Sentinel: used as it is (nothing is started for it)"
      return 0
      ;;
  esac
  read -r host port < <(url_host_port "$url" 6379) || true
  [ -n "$host" ] || die "cannot parse $url"
  if tcp_reachable "$host" "$port"; then
    if is_local_host "$host" && [ "$port" = "6379" ] && compose_serves redis; then
      REDIS_URL="$(with_compose_password "$REDIS_URL" redis)"
    fi
    return 0
  fi
  is_local_host "$host" ||
    die "Redis is not reachable at $host:$port (REDIS_URL) and that host is not local, so nothing can be started for it"

  if [ "$port" = "6379" ] && docker_usable; then
    start_with_docker redis
    record_started "compose redis"
    REDIS_URL="$(with_compose_password "$REDIS_URL" redis)"
  elif command -v redis-server >/dev/null 2>&1; then
    start_local_redis "$port"
  else
    # Redis is optional: BullMQ's Postgres backend schedules the jobs in the database instead.
    log "no Redis reachable at $host:$port or installed: queueing in Postgres (DISPATCH_QUEUE_BACKEND=postgres; install Redis 6.2+ or set REDIS_URL for more throughput)"
    export DISPATCH_QUEUE_BACKEND=postgres
    return 0
  fi
  wait_reachable Redis "$host" "$port" ||
    die "Redis did not become reachable at $host:$port within ${SERVICE_WAIT_SECONDS}s"
}

# --- entry point ----------------------------------------------------------------------------

# Makes DATABASE_URL and REDIS_URL reachable (starting local servers when they are down; a compose
# service's password is added to its URL) and creates the database named in DATABASE_URL. A no-op apart from two TCP probes and one query
# when everything is already up.
ensure_services() {
  export DATABASE_URL="${DATABASE_URL:-$DEFAULT_DATABASE_URL}"
  export REDIS_URL="${REDIS_URL:-$DEFAULT_REDIS_URL}"
  ensure_postgres "$DATABASE_URL"
  if [ "${DISPATCH_QUEUE_BACKEND:-}" != "postgres" ]; then ensure_redis "$REDIS_URL"; fi
  create_database
}
