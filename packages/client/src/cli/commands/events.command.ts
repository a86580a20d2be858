import { getEventDefinition } from '@dispatch/core';
import { EVENT_TYPES } from '@dispatch/core/api';
import { oneOf, positional, required, UsageError, type Command } from '../command.js';
import { parseTime } from '../durations.js';
import { ago } from '../format.js';
import { deliveryColumns } from './deliveries.command.js';
import { formatTable } from '../format.js';

function eventData(values: Record<string, string | boolean | undefined>, type: (typeof EVENT_TYPES)[number]): Record<string, unknown> {
  if (values.example === true) return structuredClone(getEventDefinition(type).example) as Record<string, unknown>;
  if (typeof values.data !== 'string') throw new UsageError('give --data JSON or --example');
  try {
    const data = JSON.parse(values.data) as unknown;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('not an object');
    return data as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`--data: must be a JSON object (${(error as Error).message})`);
  }
}

export const eventCommands: Command[] = [
  {
    name: 'events send',
    usage: '--type TYPE (--data JSON | --example) [--link link_…] [--idempotency-key K]',
    summary: "Emit an event (--example sends the catalog's example of that type)",
    options: { type: { type: 'string' }, data: { type: 'string' }, example: { type: 'boolean' }, link: { type: 'string' }, 'idempotency-key': { type: 'string' } },
    async run(ctx, { values }) {
      const type = oneOf(required(values, 'type'), EVENT_TYPES, 'event type')!;
      const accepted = await ctx.client.emit(
        { type, data: eventData(values, type), linkId: values.link as string | undefined },
        { idempotencyKey: values['idempotency-key'] as string | undefined },
      );
      ctx.print(accepted, () => `event ${accepted.id} (${accepted.type}) accepted, ${accepted.deliveries} deliver${accepted.deliveries === 1 ? 'y' : 'ies'}`);
    },
  },
  {
    name: 'events list',
    usage: '[--type TYPE] [--link link_…] [--since 2h] [--until T]',
    summary: 'Events of the workspace, newest first',
    options: { type: { type: 'string' }, link: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, limit: { type: 'string' }, cursor: { type: 'string' } },
    async run(ctx, { values }) {
      const page = await ctx.client.events.list({
        query: {
          type: oneOf(values.type, EVENT_TYPES, 'event type'),
          linkId: values.link as string | undefined,
          since: parseTime(values.since, 'since'),
          until: parseTime(values.until, 'until'),
          limit: values.limit ? Number(values.limit) : undefined,
          cursor: values.cursor as string | undefined,
        },
      });
      ctx.table(page, page.data, [
        { header: 'id', value: (e) => e.id },
        { header: 'type', value: (e) => e.type },
        { header: 'link', value: (e) => e.linkId },
        { header: 'test', value: (e) => (e.test ? 'test' : '') },
        { header: 'created', value: (e) => ago(e.createdAt) },
      ], 'no events');
      if (!ctx.json && page.nextCursor) ctx.note(`more: --cursor ${page.nextCursor}`);
    },
  },
  {
    name: 'events show',
    usage: '<eventId>',
    summary: 'An event, its payload and its deliveries',
    async run(ctx, { positionals }) {
      const event = await ctx.client.events.get({ params: { eventId: positional(positionals, 0, 'event id (evt_…)') } });
      ctx.print(event, () =>
        [`${event.id}  ${event.type}${event.test ? ' (test)' : ''}  ${event.createdAt}`, event.payload, '', event.deliveries.length ? formatTable(event.deliveries, deliveryColumns) : 'no deliveries'].join('\n'),
      );
    },
  },
];
