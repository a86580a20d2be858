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

# --- Postgres -------------------------------------------------------------------------------

# Runs a command as the postgres OS user (initdb and postgres refuse to run as root).
as_postgres() {
  if command -v runuser >/dev/null 2>&1; then
    runuser -u postgres -- "$@"
  else
    local cmd
    cmd="$(printf '%q ' "$@")"
    su postgres -s /bin/sh -c "$cmd"
  fi
}

run_pg_tool() {
  if [ "$(id -u)" = "0" ]; then as_postgres "$@"; else "$@"; fi
}

# Directory holding initdb/pg_ctl/postgres; prefers the major version an existing data dir was made with.
find_pg_bindir() {
  local datadir="$1" want="" d
  [ -f "$datadir/PG_VERSION" ] && want="$(cat "$datadir/PG_VERSION")"
  if [ -n "$want" ] && [ -x "/usr/lib/postgresql/$want/bin/pg_ctl" ]; then
    echo "/usr/lib/postgresql/$want/bin"
    return 0
  fi
  if command -v postgres >/dev/null 2>&1; then
    d="$(dirname "$(command -v postgres)")"
    if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then
      echo "$d"
      return 0
    fi
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin /usr/local/pgsql/bin 2>/dev/null | sort -rV); do
    if [ -x "$d/postgres" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

# A system cluster (Debian's postgresql-common) configured for this port, started the way this
# machine's image starts it. Only possible as root.
try_system_postgres() {
  local port="$1" line ver name cport
  [ "$(id -u)" = "0" ] || return 1
  command -v pg_ctlcluster >/dev/null 2>&1 || return 1
  command -v pg_lsclusters >/dev/null 2>&1 || return 1
  while read -r ver name cport _; do
    [ "$cport" = "$port" ] || continue
    log "starting system Postgres cluster $ver/$name on port $port"
    pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start || warn "pg_ctlcluster $ver $name start failed"
    return 0
  done < <(pg_lsclusters -h 2>/dev/null)
  return 1
}

start_local_postgres() {
  local port="$1" datadir="$DISPATCH_DATA_DIR/postgres" logfile="$DISPATCH_DATA_DIR/postgres.log" bindir
  bindir="$(find_pg_bindir "$datadir")" || return 1
  mkdir -p "$DISPATCH_DATA_DIR"
  if [ "$(id -u)" = "0" ]; then
    id postgres >/dev/null 2>&1 || die "running as root, but there is no 'postgres' user to run $bindir/postgres as"
    mkdir -p "$datadir"
    touch "$logfile"
    chown postgres "$datadir" "$logfile"
    chmod 700 "$datadir"
    as_postgres test -w "$datadir" ||
      die "the postgres user cannot reach $datadir (a parent directory is not traversable); set DISPATCH_DATA_DIR to a directory it can use"
  fi
  if [ ! -f "$datadir/PG_VERSION" ]; then
    log "initialising a project-local Postgres cluster in $datadir ($bindir)"
    run_pg_tool "$bindir/initdb" -D "$datadir" -U postgres --auth=trust -E UTF8 --no-locale >>"$logfile" 2>&1 ||
      die "initdb failed; see $logfile"
  fi
  log "starting project-local Postgres on 127.0.0.1:$port (data: $datadir, log: $logfile)"
  run_pg_tool "$bindir/pg_ctl" -D "$datadir" \
    -o "-p $port -k /tmp -c listen_addresses=127.0.0.1" \
    -l "$logfile" -w -t "$SERVICE_WAIT_SECONDS" start >/dev/null ||
    { tail -n 20 "$logfile" >&2; die "could not start Postgres from $datadir; see $logfile"; }
}

ensure_postgres() {
  local url="$1" host port
  read -r host port < <(url_host_port "$url" 5432) || true
  [ -n "$host" ] || die "cannot parse $url"
  if tcp_reachable "$host" "$port"; then
    if is_local_host "$host" && [ "$port" = "5432" ] && compose_serves postgres; then
      DATABASE_URL="$(with_compose_password "$DATABASE_URL" postgres)"
    fi
    return 0
  fi
  is_local_host "$host" ||
    die "Postgres is not reachable at $host:$port (DATABASE_URL) and that host is not local, so nothing can be started for it"

  if [ "$port" = "5432" ] && docker_usable; then
    start_with_docker postgres
    DATABASE_URL="$(with_compose_password "$DATABASE_URL" postgres)"
  elif try_system_postgres "$port"; then
    :
  elif find_pg_bindir "$DISPATCH_DATA_DIR/postgres" >/dev/null; then
    start_local_postgres "$port"
  else
    die "Postgres is not reachable at $host:$port and no postgres binary was found: install PostgreSQL 15+ (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@16) or Docker, or set DATABASE_URL to a running server"
  fi
  if ! wait_reachable Postgres "$host" "$port"; then
    # The system cluster may have answered on another port or failed; fall back to a local one.
    if find_pg_bindir "$DISPATCH_DATA_DIR/postgres" >/dev/null && [ ! -f "$DISPATCH_DATA_DIR/postgres/postmaster.pid" ]; then
      start_local_postgres "$port"
      wait_reachable Postgres "$host" "$port" && return 0
    fi
    die "Postgres did not become reachable at $host:$port within ${SERVICE_WAIT_SECONDS}s"
  fi
}

create_database() {
  node "$DISPATCH_ROOT/infra/scripts/create-database.mjs" ||
    die "could not create the database named in DATABASE_URL ($DATABASE_URL)"
}

# --- Redis ----------------------------------------------------------------------------------

start_local_redis() {
  local port="$1"
  mkdir -p "$DISPATCH_DATA_DIR"
  log "starting project-local redis-server on 127.0.0.1:$port (log: $DISPATCH_DATA_DIR/redis-$port.log)"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --dir "$DISPATCH_DATA_DIR" --logfile "$DISPATCH_DATA_DIR/redis-$port.log" \
    --pidfile "$DISPATCH_DATA_DIR/redis-$port.pid" >/dev/null ||
    die "redis-server failed to start; see $DISPATCH_DATA_DIR/redis-$port.log"
}

ensure_redis() {
  local url="$1" host port
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
    REDIS_URL="$(with_compose_password "$REDIS_URL" redis)"
  elif command -v redis-server >/dev/null 2>&1; then
    start_local_redis "$port"
  else
    die "Redis is not reachable at $host:$port and no redis-server binary was found: install Redis 6.2+ (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or Docker, or set REDIS_URL to a running server"
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
  ensure_redis "$REDIS_URL"
  create_database
}
