import { DELIVERY_VIEW_STATUSES, ENDPOINT_KINDS, EVENT_TYPES, type Delivery, type DeliveryDetail } from '@dispatch/core/api';
import { oneOf, positional, type Command } from '../command.js';
import { parseTime } from '../durations.js';
import { ago, millis, outcomeOf, type Column } from '../format.js';

export const deliveryColumns: Column<Delivery>[] = [
  { header: 'id', value: (d) => d.id },
  { header: 'status', value: (d) => d.status },
  { header: 'event', value: (d) => d.eventType },
  { header: 'target', value: (d) => d.target.id },
  { header: 'attempts', value: (d) => d.attemptCount },
  { header: 'last', value: (d) => outcomeOf(d.lastAttempt) },
  { header: 'next attempt', value: (d) => ago(d.nextAttemptAt) },
  { header: 'created', value: (d) => ago(d.createdAt) },
];

function timeline(delivery: DeliveryDetail): string {
  const lines = [
    `${delivery.id}  ${delivery.status}  ${delivery.eventType} (${delivery.eventId}) -> ${delivery.target.kind} ${delivery.target.id}`,
    `attempts ${delivery.attemptCount}, next ${ago(delivery.nextAttemptAt)}, created ${delivery.createdAt}`,
    '',
  ];
  for (const a of delivery.attempts) {
    const t = a.timings;
    const phases = t ? ` (dns ${t.dns ?? '-'}, connect ${t.connect ?? '-'}, tls ${t.tls ?? '-'}, first byte ${t.firstByte ?? '-'} ms)` : '';
    lines.push(`#${a.attemptNo} ${a.trigger.padEnd(9)} ${a.attemptedAt}  ${outcomeOf(a).padEnd(18)} ${millis(a.responseTimeMs)}${phases}`);
    if (a.responseBody) lines.push(`   ${a.responseBody.slice(0, 300).replace(/\s+/g, ' ')}${a.responseBodyTruncated ? ' …(truncated)' : ''}`);
  }
  let payload = delivery.payload;
  try {
    payload = JSON.stringify(JSON.parse(delivery.payload), null, 2);
  } catch {
    // shown as stored
  }
  lines.push('', 'payload (as signed):', payload);
  return lines.join('\n');
}

export const deliveryCommands: Command[] = [
  {
    name: 'deliveries list',
    usage: '[--status failing] [--kind K] [--endpoint ID] [--event-type T] [--event evt_…] [--status-code 5xx] [--since 2h] [--until T]',
    summary: 'Deliveries of the workspace, newest first',
    options: {
      status: { type: 'string' },
      kind: { type: 'string' },
      endpoint: { type: 'string' },
      'event-type': { type: 'string' },
      event: { type: 'string' },
      'status-code': { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
    },
    async run(ctx, { values }) {
      const page = await ctx.client.deliveries.list({
        query: {
          status: oneOf(values.status, DELIVERY_VIEW_STATUSES, 'status'),
          targetKind: oneOf(values.kind, ENDPOINT_KINDS, 'kind'),
          targetId: values.endpoint as string | undefined,
          eventType: oneOf(values['event-type'], EVENT_TYPES, 'event type'),
          eventId: values.event as string | undefined,
          statusCode: values['status-code'] as string | undefined,
          since: parseTime(values.since, 'since'),
          until: parseTime(values.until, 'until'),
          limit: values.limit ? Number(values.limit) : undefined,
          cursor: values.cursor as string | undefined,
        },
      });
      ctx.table(page, page.data, deliveryColumns, 'no deliveries');
      if (!ctx.json && page.nextCursor) ctx.note(`more: --cursor ${page.nextCursor}`);
    },
  },
  {
    name: 'deliveries show',
    usage: '<deliveryId>',
    summary: 'A delivery: every attempt as a timeline, and the exact payload',
    async run(ctx, { positionals }) {
      const delivery = await ctx.client.deliveries.get({ params: { deliveryId: positional(positionals, 0, 'delivery id (dlv_…)') } });
      ctx.print(delivery, () => timeline(delivery));
    },
  },
  {
    name: 'redeliver',
    usage: '<deliveryId>',
    summary: 'One new attempt of the delivery now (same webhook-id); never costs its automatic schedule',
    async run(ctx, { positionals }) {
      const answer = await ctx.client.deliveries.redeliver({ params: { deliveryId: positional(positionals, 0, 'delivery id (dlv_…)') }, body: {} });
      ctx.print(answer, () => `${answer.delivery.id}: new attempt queued (follow it: dispatch deliveries show ${answer.delivery.id})`);
    },
  },
];
