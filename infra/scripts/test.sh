#!/usr/bin/env bash
# `npm test`: install, make Postgres and Redis reachable, then lint (which checks the dependency
# direction, eslint.config.js), typecheck, cycle check and jest.
# Extra arguments go to jest (e.g. `npm test -- packages/core`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=lib.sh
source infra/scripts/lib.sh

ensure_pnpm
install_deps
ensure_services

step() { printf '\n==> [%s] %s\n' "$1" "$2"; }

# The suites that prove delivery, retries, faults, the reconciler and replays run a second time on
# BullMQ's Postgres backend (DISPATCH_QUEUE_BACKEND=postgres; their REDIS_URL is a closed port).
PG_QUEUE_SUITES=(
  apps/worker/test/delivery.int.test.ts
  apps/worker/test/retries.int.test.ts
  apps/worker/test/faults-postgres.int.test.ts
  apps/worker/test/faults-stalled-run.int.test.ts
  apps/worker/test/reconcile.int.test.ts
  apps/worker/test/endpoint-pauses.int.test.ts
  apps/api/test/replays.int.test.ts
)

step 1/5 "lint, with the dependency direction ($PNPM run lint)"
$PNPM run lint

step 2/5 "typecheck ($PNPM run typecheck)"
$PNPM run typecheck

step 3/5 "import cycles ($PNPM run cycles)"
$PNPM run cycles

step 4/5 "jest ($PNPM run test:jest $*)"
$PNPM run test:jest "$@"

# Only for the whole run: a run of chosen files (extra arguments) is about those files.
if [ $# -eq 0 ]; then
  step 5/5 "jest again on the Postgres queue backend (DISPATCH_TEST_QUEUE_BACKEND=postgres, ${#PG_QUEUE_SUITES[@]} suites)"
  # Only the redis project (no cluster started for this run); the option comes after the files, or
  # jest would read the files as more project names and run the whole project.
  DISPATCH_TEST_QUEUE_BACKEND=postgres $PNPM run test:jest "${PG_QUEUE_SUITES[@]}" --selectProjects redis
fi
