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

step 1/4 "lint, with the dependency direction ($PNPM run lint)"
$PNPM run lint

step 2/4 "typecheck ($PNPM run typecheck)"
$PNPM run typecheck

step 3/4 "import cycles ($PNPM run cycles)"
$PNPM run cycles

step 4/4 "jest ($PNPM run test:jest $*)"
$PNPM run test:jest "$@"
