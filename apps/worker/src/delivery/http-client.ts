import http from 'node:http';
import https from 'node:https';
import got, { type ExtendOptions, type Got, type HandlerFunction, type NativeRequestOptions } from 'got';
import { createSafeLookup, type Resolver } from './destination-guard.js';

export interface HttpClientOptions {
  timeoutMs: number;
  allowPrivateDestinations: boolean;
  /** Resolves receiver hostnames; node's dns.lookup unless a test injects a resolver of its own. */
  lookup?: Resolver;
}

/**
 * got builds the options it hands to http.request as one object literal that starts by spreading
 * `cacheOptions` (four keys, all undefined: we never cache) and then adds about thirty more
 * properties. V8 takes a slow path for that literal, a cost of the order of half a node:http
 * request, plus garbage; with an empty `cacheOptions` it takes a small fraction of that (measured
 * by `bench/probes/got-cost.ts options`; figures in bench/RESULTS.md). Merging defaults can only
 * add keys, so the per-request options, which a handler sees before the request is made, are where
 * it is emptied. `cacheOptions` means nothing while `cache` is off.
 */
export const withoutCacheOptions: HandlerFunction = (options, next) => {
  if (options) options.cacheOptions = {};
  return next(options);
};

/**
 * got hands http.request about thirty-five options, most of them undefined (every TLS option, even
 * for http:). Node copies them onto the URL's options (Object.assign) and the agent spreads that copy
 * again: objects this large drop to V8's slow dictionary mode (`bench/probes/got-cost.ts
 * got-all-options` measures the cost). Only the defined ones are passed on: Node reads an absent
 * option exactly as an undefined one (TLS defaults, certificate checks included).
 */
export function requestWithDefinedOptions(url: URL, options: NativeRequestOptions, callback?: (response: http.IncomingMessage) => void) {
  const defined: Record<string, unknown> = {};
  for (const key in options) {
    const value = options[key as keyof NativeRequestOptions];
    if (value !== undefined) defined[key] = value;
  }
  return (url.protocol === 'https:' ? https : http).request(url, defined, callback);
}

/** The keep-alive agents' options (most recently used socket first, so idle ones can time out). */
export const AGENT_OPTIONS = { keepAlive: true, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' } as const;

/**
 * The options of the worker's got instance: keep-alive agents (connections to a receiver are reused
 * across deliveries), no redirects (3xx is a failed attempt), no retries (the delivery schedule owns
 * retries), no error on non-2xx (every status is an outcome to record), one overall `request`
 * timeout (a single timer per request; per-phase timeouts would each add timers and listeners).
 * `decompress` stays on: the stored body is for an operator to read, and send.ts counts decoded
 * bytes against its read cap; for an uncompressed answer it costs one header.
 *
 * got hands `dnsLookup` to http.request as `lookup`, and the agent's socket connects to the address
 * that lookup returned: every connection to a named host goes through the SSRF check, with no
 * second resolution after it.
 *
 * Exported (`@dispatch/worker/http-client`) so the bench's bare send loop runs with exactly these.
 */
export function httpClientOptions(options: HttpClientOptions): ExtendOptions {
  return {
    method: 'POST',
    followRedirect: false,
    retry: { limit: 0 },
    throwHttpErrors: false,
    decompress: true,
    http2: false,
    timeout: { request: options.timeoutMs },
    agent: { http: new http.Agent(AGENT_OPTIONS), https: new https.Agent(AGENT_OPTIONS) },
    dnsLookup: createSafeLookup(options.lookup, { allowPrivate: options.allowPrivateDestinations }) as never,
    handlers: [withoutCacheOptions],
    request: requestWithDefinedOptions,
  };
}

/** One got instance per worker. */
export function createHttpClient(options: HttpClientOptions): Got {
  return got.extend(httpClientOptions(options));
}
