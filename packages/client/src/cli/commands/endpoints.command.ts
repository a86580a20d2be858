import { ENDPOINT_HEALTH_FILTERS, ENDPOINT_KINDS, STATS_WINDOWS, type EndpointSummary } from '@dispatch/core/api';
import { oneOf, positional, type Command } from '../command.js';
import { actionsOf, paramsOf, resolveEndpoint } from '../endpoint-ref.js';
import { parseSeconds } from '../durations.js';
import { ago, millis, outcomeOf, percent, type Column } from '../format.js';

const summaryColumns: Column<EndpointSummary>[] = [
  { header: 'id', value: (e) => e.id },
  { header: 'kind', value: (e) => e.kind.replace('_webhook', '') },
  { header: 'name', value: (e) => e.name, max: 24 },
  { header: 'url', value: (e) => e.url, max: 40 },
  { header: 'success 24h', value: (e) => percent(e.stats.successRate) },
  { header: 'p95', value: (e) => millis(e.stats.p95Ms) },
  { header: 'failing', value: (e) => e.stats.failingDeliveries },
  { header: 'breaker', value: (e) => (e.stats.breaker === 'open' ? `open until ${e.stats.pausedUntil ?? '?'}` : 'closed') },
  { header: 'disabled', value: (e) => (e.disabledAt ? `${e.disabledReason ?? 'yes'} ${ago(e.disabledAt)}` : '') },
];

export const endpointCommands: Command[] = [
  {
    name: 'endpoints list',
    usage: '[--kind K] [--status failing|disabled|paused] [--all-workspaces]',
    summary: 'Endpoints of every kind with their 24 h health, failing first (--all-workspaces: with the admin token)',
    options: { kind: { type: 'string' }, status: { type: 'string' }, 'all-workspaces': { type: 'boolean' }, limit: { type: 'string' }, cursor: { type: 'string' } },
    async run(ctx, { values }) {
      const query = {
        kind: oneOf(values.kind, ENDPOINT_KINDS, 'kind'),
        status: oneOf(values.status, ENDPOINT_HEALTH_FILTERS, 'status'),
        limit: values.limit ? Number(values.limit) : undefined,
        cursor: values.cursor as string | undefined,
      };
      const page = values['all-workspaces'] ? await ctx.client.admin.endpoints({ query }) : await ctx.client.endpoints.list({ query });
      const columns = values['all-workspaces'] ? [{ header: 'workspace', value: (e: EndpointSummary) => e.workspaceId }, ...summaryColumns] : summaryColumns;
      ctx.table(page, page.data, columns, 'no endpoints');
      if (!ctx.json && page.nextCursor) ctx.note(`more: --cursor ${page.nextCursor}`);
    },
  },
  {
    name: 'endpoints show',
    usage: '<endpointId>',
    summary: 'An endpoint with its 24 h health',
    async run(ctx, { positionals }) {
      const ref = await resolveEndpoint(ctx.client, positional(positionals, 0, 'endpoint id'));
      const actions = actionsOf(ctx.client, ref);
      const [endpoint, stats] = await Promise.all([actions.get({ params: paramsOf(ref) }), actions.stats({ params: paramsOf(ref) })]);
      ctx.print({ ...endpoint, stats }, () =>
        [
          `${endpoint.id}  ${endpoint.url}`,
          `secret ${endpoint.secret}${endpoint.disabledAt ? `  DISABLED (${endpoint.disabledReason}) ${ago(endpoint.disabledAt)}` : ''}`,
          `24h: ${stats.attempts} attempts, ${percent(stats.successRate)} ok, p50/p95/p99 ${millis(stats.latencyMs.p50)} / ${millis(stats.latencyMs.p95)} / ${millis(stats.latencyMs.p99)}`,
          `breaker ${stats.breaker}${stats.pausedUntil ? ` until ${stats.pausedUntil}` : ''}, ${stats.pendingDeliveries} pending, ${stats.failingDeliveries} failing, ${stats.consecutiveFailures} failures in a row`,
          `last success ${ago(stats.lastSuccessAt)}, last failure ${ago(stats.lastFailureAt)}`,
        ].join('\n'),
      );
    },
  },
  {
    name: 'endpoints stats',
    usage: `<endpointId> [--window ${STATS_WINDOWS.join('|')}]`,
    summary: 'Success rate, latency, breaker and backlog of an endpoint over a window',
    options: { window: { type: 'string' } },
    async run(ctx, { values, positionals }) {
      const ref = await resolveEndpoint(ctx.client, positional(positionals, 0, 'endpoint id'));
      const stats = await actionsOf(ctx.client, ref).stats({ params: paramsOf(ref), query: { window: oneOf(values.window, STATS_WINDOWS, 'window') } });
      ctx.print(stats, () =>
        [
          `window ${stats.window}: ${stats.attempts} attempts, ${stats.successes} ok (${percent(stats.successRate)})`,
          `latency p50 ${millis(stats.latencyMs.p50)}, p95 ${millis(stats.latencyMs.p95)}, p99 ${millis(stats.latencyMs.p99)}`,
          `breaker ${stats.breaker}${stats.pausedUntil ? ` until ${stats.pausedUntil}` : ''}; pending ${stats.pendingDeliveries}, failing ${stats.failingDeliveries}`,
        ].join('\n'),
      );
    },
  },
  {
    name: 'endpoints test',
    usage: '<endpointId> [--event TYPE]',
    summary: "Send an example event to the endpoint now (even a disabled one) and show the receiver's answer",
    options: { event: { type: 'string' } },
    async run(ctx, { values, positionals }) {
      const ref = await resolveEndpoint(ctx.client, positional(positionals, 0, 'endpoint id'));
      ctx.note(`sending a test delivery to ${ref.group === 'linkWebhooks' ? ref.params.webhookId : ref.params.id}…`);
      const answer = await actionsOf(ctx.client, ref).test({ params: paramsOf(ref), body: { event: values.event as never } });
      const { delivery } = answer;
      ctx.print(answer, () =>
        delivery.lastAttempt
          ? `${delivery.id}: ${outcomeOf(delivery.lastAttempt)} in ${millis(delivery.lastAttempt.responseTimeMs)}\n${delivery.lastAttempt.responseBody ?? ''}`.trimEnd()
          : `${delivery.id}: queued, no answer yet (see: dispatch deliveries show ${delivery.id})`,
      );
    },
  },
  {
    name: 'endpoints enable',
    usage: '<endpointId>',
    summary: 'Re-enable an endpoint and reset its failure count',
    async run(ctx, { positionals }) {
      const ref = await resolveEndpoint(ctx.client, positional(positionals, 0, 'endpoint id'));
      const endpoint = await actionsOf(ctx.client, ref).enable({ params: paramsOf(ref), body: {} });
      ctx.print(endpoint, () => `${endpoint.id} enabled`);
    },
  },
  {
    name: 'endpoints rotate-secret',
    usage: '<endpointId> [--grace 24h]',
    summary: 'A new signing secret (shown once); the old one keeps signing during the grace period',
    options: { grace: { type: 'string' } },
    async run(ctx, { values, positionals }) {
      const ref = await resolveEndpoint(ctx.client, positional(positionals, 0, 'endpoint id'));
      const rotated = await actionsOf(ctx.client, ref).rotateSecret({ params: paramsOf(ref), body: { graceSeconds: parseSeconds(values.grace, 'grace') } });
      ctx.print(rotated, () => `new secret (shown once): ${rotated.secret}\nthe previous secret signs too until ${rotated.previousSecretExpiresAt ?? 'now (no grace)'}`);
    },
  },
];
