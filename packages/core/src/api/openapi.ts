import { z } from 'zod';
import { errorBodySchema } from './resources/common.schema.js';
import type { AnyRouteContract } from './route-contract.js';

// The OpenAPI document, built from the route contracts that the API mounts and the client calls.
// Choices the contract left open are written into its description.

const CHOICES = [
  'Webhook delivery. Choices where the contract is silent:',
  "- Idempotency-Key: the same key within 24 h with the same request (type, data as a value whatever its key order, linkId; for a batch every event, in order) answers the first answer; with a different request it is 409. A batch's key and a single event's key never collide.",
  '- Link and outbound webhooks also have enable, rotate-secret, redeliver and delivery-detail routes, like workspace webhooks.',
  '- Redeliver/test/replay reach a disabled endpoint (an operator checks a fix); scheduled retries do not.',
  '- A body that is not application/json is 400; unknown fields are 400; so is a body not in its Content-Encoding, or in one the server does not support (no 415).',
  '- Strings may not contain NUL (U+0000): 400. Times are ISO-8601 with an offset, in years 1 to 9999 (UTC).',
  '- A malformed percent-escape in the path is 400. OPTIONS is answered like any undeclared method: 404 (no CORS preflight).',
  '- Lists are newest first by id; ids are time-sortable and monotonic within a process.',
  "- An operator's list of a workspace's keys is cursor-paginated like every list, revoked and expired keys included; `hint` is null for keys made before hints were stored.",
  '- events:write also grants events:read. 429 (with retry-after) also for: failed authentication per client address, operator requests per API process, test sends per API key (a burst of 10, then one per 10 s).',
  '- Custom headers of outbound webhooks are secrets: every answer (create included) shows their names with masked values (`••••••••`, plus the last 4 characters of a value of 20 characters or more). `headers` in a PATCH replaces the whole map; a masked value sent back is 400 (send the real value).',
];

function jsonSchema(schema: z.ZodType | null | undefined, io: 'input' | 'output'): Record<string, unknown> | undefined {
  return schema ? (z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>) : undefined;
}

function parameters(route: AnyRouteContract) {
  const list: Record<string, unknown>[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    const properties = (jsonSchema(schema, 'input')?.properties ?? {}) as Record<string, unknown>;
    for (const [name, property] of Object.entries(properties)) list.push({ name, in: where, required: where === 'path', schema: property });
  }
  for (const [name, description] of Object.entries(route.headers ?? {})) list.push({ name, in: 'header', required: false, description, schema: { type: 'string' } });
  return list;
}

function responses(route: AnyRouteContract) {
  const answers: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(route.responses)) {
    const body = jsonSchema(schema, 'output');
    answers[status] = body ? { description: 'success', content: { 'application/json': { schema: body } } } : { description: 'no content' };
  }
  answers.default = { description: 'error (see the contract for each status)', content: { 'application/json': { schema: jsonSchema(errorBodySchema, 'output') } } };
  return answers;
}

export function buildOpenApi(routes: readonly AnyRouteContract[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = `/api${route.path.replace(/:(\w+)/g, '{$1}')}`;
    const { access } = route;
    const body = jsonSchema(route.body, 'input');
    // A body whose every field may be left out need not be sent at all.
    const bodyRequired = route.body ? !route.body.safeParse({}).success : false;
    paths[path] ??= {};
    paths[path][route.method] = {
      operationId: route.id,
      summary: route.summary,
      security: [{ bearer: [] }],
      ...(typeof access === 'object' ? { 'x-scope': access.scope, ...(access.feature ? { 'x-feature': access.feature } : {}) } : {}),
      ...(access === 'admin' ? { 'x-operator-only': true } : {}),
      parameters: parameters(route),
      ...(body ? { requestBody: { required: bodyRequired, content: { 'application/json': { schema: body } } } } : {}),
      responses: responses(route),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Dispatch', version, description: CHOICES.join('\n') },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
