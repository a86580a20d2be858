import type { AnyRouteContract } from '@dispatch/core/api';
import { DispatchApiError, DispatchConnectionError } from './errors.js';

export interface ClientOptions {
  /** Where the API is, e.g. `http://127.0.0.1:3000` (no `/api`). */
  url: string;
  /** A workspace API key (`dsp_…`), for every route but the operator's. */
  apiKey?: string | undefined;
  /** The operator token (DISPATCH_ADMIN_TOKEN), for `/api/admin/*`. */
  adminToken?: string | undefined;
  /** Check every answer against the route's response schema (tests turn it on). */
  validateResponses?: boolean;
  fetch?: typeof fetch;
}

export interface CallInput {
  params?: Record<string, string> | undefined;
  query?: Record<string, unknown> | undefined;
  body?: unknown;
  headers?: Record<string, string> | undefined;
}

export interface RawAnswer {
  status: number;
  body: unknown;
}

function pathOf(route: AnyRouteContract, params: Record<string, string> = {}): string {
  return `/api${route.path}`.replace(/:(\w+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`${route.id}: missing path parameter "${name}"`);
    return encodeURIComponent(value);
  });
}

function queryString(query: Record<string, unknown> = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    search.set(name, value instanceof Date ? value.toISOString() : String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** One HTTP call of a route: builds the request from the contract, throws the API's error as it came. */
export async function callRoute(options: ClientOptions, route: AnyRouteContract, input: CallInput = {}): Promise<RawAnswer> {
  const token = route.access === 'admin' ? options.adminToken : options.apiKey;
  const url = `${options.url.replace(/\/+$/, '')}${pathOf(route, input.params)}${queryString(input.query)}`;
  const headers: Record<string, string> = { accept: 'application/json', ...input.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  const hasBody = input.body !== undefined || (route.body !== undefined && route.method !== 'get');
  if (hasBody) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { method: route.method.toUpperCase(), headers, body: hasBody ? JSON.stringify(input.body ?? {}) : undefined });
  } catch (error) {
    throw new DispatchConnectionError(options.url, error);
  }
  const text = await response.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  if (!response.ok) throw new DispatchApiError(response.status, body as never, response.headers.get('retry-after'));
  const schema = route.responses[response.status as keyof typeof route.responses];
  if (options.validateResponses && schema) {
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new TypeError(`${route.id}: the answer does not match the contract: ${parsed.error.message}`);
  }
  return { status: response.status, body };
}
