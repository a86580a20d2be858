import http from 'node:http';
import https from 'node:https';
import got, { type Got } from 'got';
import { createSafeLookup, systemResolver, type Resolver } from './safe-lookup.js';

export interface HttpClientOptions {
  timeoutMs: number;
  allowPrivateDestinations: boolean;
  /** Resolves receiver hostnames; node's dns.lookup unless a test injects a resolver of its own. */
  lookup?: Resolver;
}

/**
 * One got instance per worker: keep-alive agents (connections to a receiver are reused across
 * deliveries), no redirects (3xx is a failed attempt), no retries (the delivery schedule owns
 * retries), no error on non-2xx (every status is an outcome to record).
 *
 * got hands `dnsLookup` to http.request as `lookup`, and the agent's socket connects to the address
 * that lookup returned: every connection to a named host goes through the SSRF check, with no
 * second resolution after it.
 */
export function createHttpClient(options: HttpClientOptions): Got {
  const agentOptions = { keepAlive: true, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' as const };
  return got.extend({
    method: 'POST',
    followRedirect: false,
    retry: { limit: 0 },
    throwHttpErrors: false,
    decompress: true,
    timeout: { request: options.timeoutMs },
    agent: { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) },
    dnsLookup: createSafeLookup(options.lookup ?? systemResolver, { allowPrivate: options.allowPrivateDestinations }) as never,
  });
}
