import { z } from 'zod';

// Every object in event data is loose (unknown keys are kept, and the JSON Schema says
// `additionalProperties: {}`). The product backend is the producer: it must be able to add a
// field without that becoming a breaking change, and a strict `z.object` would silently strip
// the field from what we store and sign. No schema here has a transform, default or refinement,
// so parsing returns the payload unchanged and `z.toJSONSchema` represents it exactly.
export const object = z.looseObject;

/** ISO-8601 UTC with a `Z` suffix, as everywhere in the contract. */
export const isoTime = z.iso.datetime();

/** Producer-assigned ids; prefixes are a convention, not validated, so foreign ids stay valid. */
export const id = z.string().min(1);

/** Money is always an integer in the currency's minor unit (cents for usd). */
export const amount = z.int().nonnegative().describe('integer amount in minor units (cents)');

/** ISO-4217 alphabetic code; lower case is usual (Stripe style), upper case is accepted. */
export const currency = z.string().regex(/^[A-Za-z]{3}$/).describe('3-letter ISO-4217 currency code');
