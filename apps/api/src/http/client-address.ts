import { isIPv4, isIPv6 } from 'node:net';
import type { Request } from 'express';

/**
 * Who a request counts against when it fails to authenticate: its client address (`req.ip`: the
 * socket's peer, or the address that DISPATCH_TRUST_PROXY's proxies report). An IPv6 client is
 * counted by its /64, the block one subscriber usually holds, so that walking through addresses of
 * the same network does not buy a fresh budget each time.
 */
export function clientAddressKey(req: Request): string {
  const address = req.ip ?? req.socket.remoteAddress ?? '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIPv4(address)) return address;
  const plain = address.split('%')[0]!;
  if (!isIPv6(plain)) return address || 'unknown';
  return `${ipv6Groups(plain).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, '::' expanded (an embedded IPv4 tail only ever lands in the last two). */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.toLowerCase().split('::');
  const part = (text: string) => (text ? text.split(':') : []);
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const missing = Math.max(0, 8 - left.length - right.length);
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((group) => group.replace(/^0+(?=.)/, ''));
}
