#!/usr/bin/env bash
# `npm stop`: stops the `npm start` of this checkout's data dir from another terminal (it then stops
# the API, the worker and the services it started, as on Ctrl-C). Data stays in the data dir.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=lib.sh
source infra/scripts/lib.sh
# shellcheck source=lifecycle.sh
source infra/scripts/lifecycle.sh

if pid="$(live_start_pid)"; then
  log "stopping npm start (pid $pid)"
  kill -TERM "$pid"
  # The worker may wait for attempts in flight (up to the request timeout and a margin).
  for ((i = 0; i < 120; i++)); do
    kill -0 "$pid" 2>/dev/null || { log "stopped"; exit 0; }
    sleep 0.5
  done
  die "npm start (pid $pid) is still running after 60 s"
elif [ -s "$DISPATCH_RUN_DIR/services" ]; then
  # npm start was killed outright: what it started is still running.
  stop_started_services
  rm -f "$START_PID_FILE"
else
  log "nothing to stop: no npm start is running from $DISPATCH_DATA_DIR"
fi
