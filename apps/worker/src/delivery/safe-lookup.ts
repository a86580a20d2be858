import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { isBlockedAddress } from '@dispatch/core';

/**
 * How the HTTP client turns a hostname into addresses: node's `dns.lookup` fits this shape, and a test
 * passes a resolver of its own (one that answers a private address, as a rebinding DNS server would).
 */
export type Resolver = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export const systemResolver: Resolver = (hostname, options, callback) => dns.lookup(hostname, options, callback);

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** The signature `net.connect({ lookup })` calls (it always passes an options object). */
export type LookupFunction = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

export class DestinationBlockedError extends Error {
  readonly code = 'ERR_DESTINATION_BLOCKED';
  constructor(hostname: string, address: string) {
    super(`destination ${hostname} resolves to ${address}, a loopback, private, link-local or metadata address`);
  }
}

const notFound = (hostname: string) => Object.assign(new Error(`no usable address for ${hostname}`), { code: 'ENOTFOUND', hostname });

/**
 * A DNS lookup for the HTTP client. Every address the resolver answers is checked (a resolver that
 * mixes one public and one private address is refused as a whole: with `autoSelectFamily` the socket
 * may try any of them), and the socket connects to exactly the addresses returned here, so the check
 * and the connection see the same address: no DNS-rebinding window between them.
 *
 * IP-literal hosts never reach a lookup (net connects to them directly), so `sendWebhook` checks
 * those itself before sending.
 */
export function createSafeLookup(resolve: Resolver = systemResolver, options: { allowPrivate?: boolean } = {}): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    const opts = typeof lookupOptions === 'object' && lookupOptions !== null ? lookupOptions : {};
    resolve(hostname, { ...opts, all: true }, (err, answer) => {
      if (err) return callback(err, []);
      // Family comes from the address itself, not from what the resolver claims.
      const list = (answer ?? []).map((a) => ({ address: a.address, family: isIP(a.address) }));
      if (list.length === 0 || list.some((a) => a.family === 0)) return callback(notFound(hostname), []);
      if (!options.allowPrivate) {
        const blocked = list.find((a) => isBlockedAddress(a.address));
        if (blocked) return callback(new DestinationBlockedError(hostname, blocked.address), []);
      }
      const usable = opts.family === 4 || opts.family === 6 ? list.filter((a) => a.family === opts.family) : list;
      if (usable.length === 0) return callback(notFound(hostname), []);
      if (opts.all) return callback(null, usable);
      callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
}

/** The lookup with the system resolver. */
export const safeLookup: LookupFunction = createSafeLookup();
