import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isBlockedAddress } from '@dispatch/core';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export class DestinationBlockedError extends Error {
  readonly code = 'ERR_DESTINATION_BLOCKED';
  constructor(address: string) {
    super(`destination ${address} is a loopback, private, link-local or metadata address`);
  }
}

/**
 * A DNS lookup for the HTTP client that refuses blocked addresses. The socket connects to the address
 * returned here, so the check and the connection see the same address (no DNS rebinding window).
 */
export function safeLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as LookupAddress[];
    const blocked = list.find((a) => isBlockedAddress(a.address));
    if (blocked) return callback(new DestinationBlockedError(blocked.address), []);
    if (options.all) return callback(null, list);
    const first = list[0];
    if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(null, first.address, first.family);
  });
}
