import { describe, expect, it } from '@jest/globals';
import {
  EVENT_CATEGORIES,
  EVENT_TYPES,
  catalogEntryJson,
  eventCatalog,
  eventLinkId,
  eventTypeSchema,
  getEventDefinition,
} from './catalog.js';

const LINK_SCOPED = ['link.clicked', 'link.created', 'link.updated', 'link.deleted', 'lead.created', 'sale.created'] as const;

describe('event catalog', () => {
  it('lists every event type once, in the contract order', () => {
    expect(EVENT_TYPES).toHaveLength(17);
    expect(eventCatalog.map((def) => def.type)).toEqual([...EVENT_TYPES]);
    for (const type of EVENT_TYPES) expect(getEventDefinition(type).type).toBe(type);
  });

  it('files every type under a known category, and every category is used', () => {
    const used = new Set(eventCatalog.map((def) => def.category));
    expect([...used].sort()).toEqual([...EVENT_CATEGORIES].sort());
    expect(getEventDefinition('link.clicked').category).toBe('clicks');
    expect(getEventDefinition('bounty.submission.created').category).toBe('bounties');
  });

  it.each(EVENT_TYPES)('%s: its example passes its schema unchanged', (type) => {
    const def = getEventDefinition(type);
    const parsed = def.schema.safeParse(def.example);
    expect(parsed.error).toBeUndefined();
    // Loose schemas without transforms: parsing must not drop or rewrite anything.
    expect(parsed.data).toEqual(def.example);
  });

  it.each(EVENT_TYPES)('%s: has an object JSON Schema and a description', (type) => {
    const entry = catalogEntryJson(getEventDefinition(type));
    expect(entry.type).toBe(type);
    expect(entry.description.length).toBeGreaterThan(0);
    expect(entry.schema.type).toBe('object');
    expect(entry.schema.additionalProperties).toEqual({});
    expect(Object.keys(entry.schema.properties as object).length).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(entry))).toEqual(entry);
  });

  it('represents ISO times as date-time strings in the JSON Schema', () => {
    const { schema } = catalogEntryJson(getEventDefinition('payout.paid'));
    const props = schema.properties as Record<string, Record<string, unknown>>;
    expect(props.createdAt).toMatchObject({ type: 'string', format: 'date-time' });
  });

  it.each(LINK_SCOPED)('%s: requires a top-level linkId that eventLinkId finds', (type) => {
    const def = getEventDefinition(type);
    expect(eventLinkId(def.example)).toMatch(/^link_/);
    const { linkId: _drop, ...withoutLinkId } = def.example;
    expect(def.schema.safeParse(withoutLinkId).success).toBe(false);
    expect(catalogEntryJson(def).schema.required).toContain('linkId');
  });

  it('rejects a sale whose amount is not an integer number of cents', () => {
    const def = getEventDefinition('sale.created');
    const example = def.example as { sale: Record<string, unknown> };
    for (const amount of ['4900', 49.5, -1]) {
      const result = def.schema.safeParse({ ...def.example, sale: { ...example.sale, amount } });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['sale', 'amount']);
    }
  });

  it('rejects non-UTC or non-ISO times and requires a reason on payout.failed', () => {
    const failed = getEventDefinition('payout.failed');
    expect(failed.schema.safeParse({ ...failed.example, createdAt: '2025-07-01 00:10:00' }).success).toBe(false);
    expect(failed.schema.safeParse({ ...failed.example, createdAt: '2025-07-01T02:10:00+02:00' }).success).toBe(false);
    const { failureReason: _drop, ...noReason } = failed.example;
    expect(failed.schema.safeParse(noReason).success).toBe(false);
  });

  it('keeps fields a producer adds, at the top level and nested', () => {
    const def = getEventDefinition('lead.created');
    const data = { ...def.example, campaign: 'summer', customer: { ...(def.example.customer as object), plan: 'pro' } };
    expect(def.schema.parse(data)).toEqual(data);
  });

  it('freezes examples, so a test delivery cannot alter the next one', () => {
    const def = getEventDefinition('sale.created');
    expect(Object.isFrozen(def.example)).toBe(true);
    expect(Object.isFrozen(def.example.link)).toBe(true);
    expect(() => {
      (def.example as Record<string, unknown>).linkId = 'link_other';
    }).toThrow(TypeError);
  });
});

describe('eventLinkId', () => {
  it('reads data.linkId first, then data.link.id', () => {
    expect(eventLinkId({ linkId: 'link_A', link: { id: 'link_B' } })).toBe('link_A');
    expect(eventLinkId({ link: { id: 'link_B' } })).toBe('link_B');
    expect(eventLinkId({ linkId: null, link: { id: 'link_B' } })).toBe('link_B');
  });

  it('is undefined when the data carries no link id', () => {
    for (const data of [undefined, null, 'link_A', [], {}, { linkId: 42 }, { link: null }, { link: { id: 7 } }]) {
      expect(eventLinkId(data)).toBeUndefined();
    }
    expect(eventLinkId(getEventDefinition('payout.created').example)).toBeUndefined();
  });
});

describe('eventTypeSchema', () => {
  it('accepts catalog types only', () => {
    for (const type of EVENT_TYPES) expect(eventTypeSchema.safeParse(type).success).toBe(true);
    for (const value of ['link.exploded', 'LINK.CLICKED', '', 'constructor', '__proto__', 1, null, undefined]) {
      expect(eventTypeSchema.safeParse(value).success).toBe(false);
    }
    expect(eventTypeSchema.safeParse('sale.created').success).toBe(true);
    expect(eventTypeSchema.safeParse('sale.refunded').success).toBe(false);
  });
});
