import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { isBlockedAddress, isBlockedHostname, PRIVATE_DESTINATION_REFUSAL, type AttemptError } from '@dispatch/core';

// The connect-time SSRF check, whole: a destination is checked against the address the socket will
// actually connect to. A named host is checked in the HTTP client's DNS lookup (every address it
// resolves to); an IP-literal host never reaches a lookup (net connects to it directly), so it is
// checked before the request is made. (Create-time checks of a URL are core's destinations.ts.)

/**
 * How the HTTP client turns a hostname into addresses: node's `dns.lookup` fits this shape, and a test
 * passes a resolver of its own (one that answers a private address, as a rebinding DNS server would).
 */
export type Resolver = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolver: Resolver = (hostname, options, callback) => dns.lookup(hostname, options, callback);

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** The signature `net.connect({ lookup })` calls (it always passes an options object). */
export type LookupFunction = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

export class DestinationBlockedError extends Error {
  readonly code = 'ERR_DESTINATION_BLOCKED';
  constructor(hostname: string, address: string) {
    super(`destination ${hostname} resolves to ${address}, ${PRIVATE_DESTINATION_REFUSAL}`);
  }
}

const notFound = (hostname: string) => Object.assign(new Error(`no usable address for ${hostname}`), { code: 'ENOTFOUND', hostname });

/**
 * A DNS lookup for the HTTP client. Every address the resolver answers is checked (a resolver that
 * mixes one public and one private address is refused as a whole: with `autoSelectFamily` the socket
 * may try any of them), and the socket connects to exactly the addresses returned here, so the check
 * and the connection see the same address: no DNS-rebinding window between them.
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

/**
 * The check of an IP-literal host, made before sending (a literal never reaches the lookup above):
 * `destination_blocked`, `network_error` for a URL that does not parse, or null to go ahead.
 */
export function checkLiteralDestination(url: string, allowPrivate: boolean): AttemptError | null {
  let hostname: string;
  try {
    // WHATWG parsing normalises 2130706433, 0x7f.1, 017700000001 and 127.1 to 127.0.0.1, and
    // [::ffff:127.0.0.1] to [::ffff:7f00:1]; got connects to that same parsed hostname.
    hostname = new URL(url).hostname;
  } catch {
    return 'network_error';
  }
  return !allowPrivate && isBlockedHostname(hostname) ? 'destination_blocked' : null;
}
