import { withTimeout } from '@dispatch/core';
import type { EndpointKind, EndpointStats, EndpointSummary, StatsWindow } from '@dispatch/core/api';
import { attemptStatsByEndpoint, waitingDeliveriesByEndpoint, type EndpointRow, type EndpointScope, type HealthWindow } from '@dispatch/db';
import type { ApiDeps } from '../deps.js';
import { isoOrNull } from '../views/time.js';
import { getEndpoint } from './endpoints.service.js';

// Endpoint health for on-call: figures from the attempts in a window, the deliveries waiting, and
// whether a worker holds the endpoint's deliveries back right now (its published pause).

const WINDOW_MS: Record<StatsWindow, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };
// A stats read must not wait on a stalled Redis: without an answer the breaker shows as closed.
const PAUSE_READ_TIMEOUT_MS = 250;

/** The window, and how far back the last success and failure are shown: the window and the retry schedule. */
function healthWindow(deps: ApiDeps, window: StatsWindow): HealthWindow {
  const scheduleMs = deps.config.DISPATCH_RETRY_SCHEDULE.reduce((sum, delay) => sum + delay, 0);
  return { windowMs: WINDOW_MS[window], lookbackMs: WINDOW_MS[window] + scheduleMs + 10 * 60_000 };
}

async function pausedUntil(deps: ApiDeps, endpointIds: readonly string[]): Promise<Map<string, number>> {
  try {
    const until = await withTimeout(deps.queues.endpointPauses.read(endpointIds), PAUSE_READ_TIMEOUT_MS);
    return new Map(endpointIds.map((id, index) => [id, until[index] ?? 0]));
  } catch {
    return new Map();
  }
}

/** The ids of the endpoints paused now (for `status=paused`); none when Redis does not answer. */
export async function pausedEndpointIds(deps: ApiDeps): Promise<string[]> {
  try {
    return [...(await withTimeout(deps.queues.endpointPauses.live(), PAUSE_READ_TIMEOUT_MS)).keys()].filter((key) => !key.startsWith('workspace:'));
  } catch {
    return [];
  }
}

const rate = (successes: number, attempts: number) => (attempts === 0 ? null : successes / attempts);

export async function endpointStats(deps: ApiDeps, scope: EndpointScope, endpointId: string, window: StatsWindow): Promise<EndpointStats> {
  const row = await getEndpoint(deps, scope, endpointId);
  const [attempts, waiting, pauses] = await Promise.all([
    attemptStatsByEndpoint(deps.db, [row.id], healthWindow(deps, window)),
    waitingDeliveriesByEndpoint(deps.db, [row.id]),
    pausedUntil(deps, [row.id]),
  ]);
  const figures = attempts.get(row.id);
  const until = pauses.get(row.id) ?? 0;
  return {
    window,
    attempts: figures?.attempts ?? 0,
    successes: figures?.successes ?? 0,
    successRate: rate(figures?.successes ?? 0, figures?.attempts ?? 0),
    latencyMs: { p50: figures?.p50 ?? null, p95: figures?.p95 ?? null, p99: figures?.p99 ?? null },
    consecutiveFailures: row.consecutiveFailures,
    lastSuccessAt: isoOrNull(figures?.lastSuccessAt),
    lastFailureAt: isoOrNull(figures?.lastFailureAt),
    breaker: until > 0 ? 'open' : 'closed',
    pausedUntil: until > 0 ? new Date(until).toISOString() : null,
    pendingDeliveries: waiting.get(row.id)?.pending ?? 0,
    failingDeliveries: waiting.get(row.id)?.failing ?? 0,
    disabledAt: isoOrNull(row.disabledAt),
    disabledReason: row.disabledReason,
  };
}

/** The 24 h summary of each endpoint of a list page (one statement each for all of them). */
export async function endpointSummaries(deps: ApiDeps, rows: readonly EndpointRow[]): Promise<EndpointSummary[]> {
  const ids = rows.map((row) => row.id);
  const [attempts, waiting, pauses] = await Promise.all([
    attemptStatsByEndpoint(deps.db, ids, healthWindow(deps, '24h')),
    waitingDeliveriesByEndpoint(deps.db, ids),
    pausedUntil(deps, ids),
  ]);
  return rows.map((row) => {
    const figures = attempts.get(row.id);
    const until = pauses.get(row.id) ?? 0;
    return {
      id: row.id,
      kind: row.kind as EndpointKind,
      workspaceId: row.workspaceId,
      linkId: row.linkId,
      name: row.kind === 'outbound_webhook' ? row.description : row.name,
      url: row.url,
      enabled: row.enabled,
      disabledAt: isoOrNull(row.disabledAt),
      disabledReason: row.disabledReason,
      consecutiveFailures: row.consecutiveFailures,
      stats: {
        successRate: rate(figures?.successes ?? 0, figures?.attempts ?? 0),
        p95Ms: figures?.p95 ?? null,
        failingDeliveries: waiting.get(row.id)?.failing ?? 0,
        breaker: until > 0 ? 'open' : 'closed',
        pausedUntil: until > 0 ? new Date(until).toISOString() : null,
      },
      createdAt: row.createdAt.toISOString(),
    };
  });
}
