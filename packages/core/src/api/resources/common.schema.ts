import { z } from 'zod';

// Building blocks of the answers. Response objects are strict: a field not declared here (a secret,
// a hash, an internal column) makes the API's own tests fail instead of reaching a caller.

/** A time as the API writes it: ISO-8601 in UTC (`Date#toISOString`). */
export const timestamp = z.iso.datetime();
export const nullableTimestamp = timestamp.nullable();

/** A cursor page, newest first. */
export const page = <T extends z.ZodType>(item: T) => z.strictObject({ data: z.array(item), nextCursor: z.string().nullable() });

export const errorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.string(),
    message: z.string(),
    details: z.array(z.strictObject({ path: z.string(), message: z.string() })),
    requestId: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
