import { z } from 'zod';
import * as bounties from './schemas/bounties.js';
import * as commissions from './schemas/commissions.js';
import * as leadsSales from './schemas/leads-sales.js';
import * as links from './schemas/links.js';
import * as partners from './schemas/partners.js';
import * as payouts from './schemas/payouts.js';

// Order is the contract's ("Event catalog" in API.md); the catalog endpoint lists in this order.
export const EVENT_TYPES = [
  'link.clicked',
  'link.created',
  'link.updated',
  'link.deleted',
  'lead.created',
  'sale.created',
  'partner.enrolled',
  'partner.application_submitted',
  'commission.created',
  'commission.updated',
  'bounty.created',
  'bounty.updated',
  'bounty.submission.created',
  'payout.created',
  'payout.confirmed',
  'payout.paid',
  'payout.failed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];
export const eventTypeSchema = z.enum(EVENT_TYPES);

export const EVENT_CATEGORIES = [
  'clicks',
  'links',
  'leads',
  'sales',
  'partners',
  'commissions',
  'bounties',
  'payouts',
] as const;

export type EventCategory = (typeof EVENT_CATEGORIES)[number];

export interface EventDefinition {
  type: EventType;
  category: EventCategory;
  description: string;
  /** Schema of the event's `data`. */
  schema: z.ZodType;
  /** A realistic `data` that passes `schema`; test deliveries send it. Deeply frozen. */
  example: Record<string, unknown>;
}

type Definition = Omit<EventDefinition, 'type'>;

// A mapped type, so the compiler rejects a missing or unknown type here.
const definitions: { readonly [T in EventType]: Definition } = {
  'link.clicked': {
    category: 'clicks',
    description: 'A visitor clicked a link.',
    schema: links.linkClickedSchema,
    example: links.linkClickedExample,
  },
  'link.created': {
    category: 'links',
    description: 'A link was created.',
    schema: links.linkCreatedSchema,
    example: links.linkCreatedExample,
  },
  'link.updated': {
    category: 'links',
    description: 'A link was updated; `link` is its new state.',
    schema: links.linkUpdatedSchema,
    example: links.linkUpdatedExample,
  },
  'link.deleted': {
    category: 'links',
    description: 'A link was deleted; `link` is its last state.',
    schema: links.linkDeletedSchema,
    example: links.linkDeletedExample,
  },
  'lead.created': {
    category: 'leads',
    description: 'A lead (e.g. a sign-up) was attributed to a link click.',
    schema: leadsSales.leadCreatedSchema,
    example: leadsSales.leadCreatedExample,
  },
  'sale.created': {
    category: 'sales',
    description: 'A sale was attributed to a link; amounts are in cents.',
    schema: leadsSales.saleCreatedSchema,
    example: leadsSales.saleCreatedExample,
  },
  'partner.enrolled': {
    category: 'partners',
    description: 'A partner was enrolled in a partner program.',
    schema: partners.partnerEnrolledSchema,
    example: partners.partnerEnrolledExample,
  },
  'partner.application_submitted': {
    category: 'partners',
    description: 'A partner applied to join a partner program.',
    schema: partners.partnerApplicationSubmittedSchema,
    example: partners.partnerApplicationSubmittedExample,
  },
  'commission.created': {
    category: 'commissions',
    description: 'A commission was created for a partner, from a conversion or by hand.',
    schema: commissions.commissionCreatedSchema,
    example: commissions.commissionCreatedExample,
  },
  'commission.updated': {
    category: 'commissions',
    description: "A commission's status or amounts changed; the data is its new state.",
    schema: commissions.commissionUpdatedSchema,
    example: commissions.commissionUpdatedExample,
  },
  'bounty.created': {
    category: 'bounties',
    description: 'A bounty was created in a partner program.',
    schema: bounties.bountyCreatedSchema,
    example: bounties.bountyCreatedExample,
  },
  'bounty.updated': {
    category: 'bounties',
    description: 'A bounty was updated; the data is its new state.',
    schema: bounties.bountyUpdatedSchema,
    example: bounties.bountyUpdatedExample,
  },
  'bounty.submission.created': {
    category: 'bounties',
    description: 'A partner submitted work for a bounty.',
    schema: bounties.bountySubmissionCreatedSchema,
    example: bounties.bountySubmissionCreatedExample,
  },
  'payout.created': {
    category: 'payouts',
    description: 'A payout to a partner was created (pending).',
    schema: payouts.payoutCreatedSchema,
    example: payouts.payoutCreatedExample,
  },
  'payout.confirmed': {
    category: 'payouts',
    description: 'A payout was confirmed and is being processed.',
    schema: payouts.payoutConfirmedSchema,
    example: payouts.payoutConfirmedExample,
  },
  'payout.paid': {
    category: 'payouts',
    description: 'A payout was paid to the partner.',
    schema: payouts.payoutPaidSchema,
    example: payouts.payoutPaidExample,
  },
  'payout.failed': {
    category: 'payouts',
    description: 'A payout failed; `failureReason` says why.',
    schema: payouts.payoutFailedSchema,
    example: payouts.payoutFailedExample,
  },
};

// Examples are shared module state handed to every test delivery; freezing makes an accidental
// mutation throw instead of changing what later tests send.
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

// Only the example is deep-frozen: zod schemas initialise lazily and must stay mutable.
export const eventCatalog: readonly EventDefinition[] = Object.freeze(
  EVENT_TYPES.map((type) => {
    const def = definitions[type];
    return Object.freeze({ type, ...def, example: deepFreeze(def.example) });
  }),
);

const byType = new Map<string, EventDefinition>(eventCatalog.map((def) => [def.type, def]));

export function getEventDefinition(type: EventType): EventDefinition {
  const def = byType.get(type);
  // Unreachable while `definitions` is total over EventType; callers validate input with eventTypeSchema.
  if (!def) throw new TypeError(`no catalog entry for event type ${JSON.stringify(type)}`);
  return def;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The link an event belongs to: `data.linkId`, else `data.link.id`; used to fan out to link webhooks. */
export function eventLinkId(data: unknown): string | undefined {
  if (!isRecord(data)) return undefined;
  if (typeof data.linkId === 'string') return data.linkId;
  if (isRecord(data.link) && typeof data.link.id === 'string') return data.link.id;
  return undefined;
}

export interface CatalogEntryJson {
  type: EventType;
  category: EventCategory;
  description: string;
  /** JSON Schema (draft 2020-12) of the event's `data`. */
  schema: Record<string, unknown>;
  example: Record<string, unknown>;
}

// Conversion walks the whole schema; the catalog is static, so do it once per schema. The
// result is shared between callers, hence frozen.
const jsonSchemas = new WeakMap<z.ZodType, Record<string, unknown>>();

/** One entry of `GET /api/integrations/outbound/events`. */
export function catalogEntryJson(def: EventDefinition): CatalogEntryJson {
  let schema = jsonSchemas.get(def.schema);
  if (!schema) {
    schema = deepFreeze(z.toJSONSchema(def.schema) as Record<string, unknown>);
    jsonSchemas.set(def.schema, schema);
  }
  return { type: def.type, category: def.category, description: def.description, schema, example: def.example };
}
