import { isIP } from 'node:net';
import type { Resolver } from '@dispatch/worker/testing';

// A DNS resolver under the test's control, for `createHttpClient({ lookup })`: it answers what a
// hostile (rebinding) DNS server would, and records every question so a test can tell whether the
// client asked at all.

export interface FakeResolver {
  resolve: Resolver;
  /** Hostnames asked, in order. */
  readonly asked: string[];
}

/**
 * `answers[host]` is the address list for each successive lookup of `host` (the last one repeats),
 * so `{ 'rebind.test': [['192.0.2.1'], ['127.0.0.1']] }` answers public first and loopback after.
 * Unknown hosts are ENOTFOUND.
 */
export function fakeResolver(answers: Record<string, string[][]>): FakeResolver {
  const asked: string[] = [];
  const resolve: Resolver = (hostname, _options, callback) => {
    asked.push(hostname);
    const script = answers[hostname];
    const next = script && (script.length > 1 ? script.shift() : script[0]);
    setImmediate(() => {
      if (!next) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
      callback(null, next.map((address) => ({ address, family: isIP(address) })));
    });
  };
  return { resolve, asked };
}
