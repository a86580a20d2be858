import { BlockList, isIP } from 'node:net';

// Addresses a webhook may never reach (SSRF): loopback, private, link-local (cloud metadata lives at
// 169.254.169.254 and fd00:ec2::254), CGNAT, multicast, unspecified, and their IPv4-mapped IPv6 forms.
const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  blocked.addSubnet(net, bits, 'ipv6');
}

function unmapIpv4(address: string): string | null {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match ? match[1]! : null;
}

export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const mapped = unmapIpv4(address);
    if (mapped) return blocked.check(mapped, 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return false;
}

/** Create-time check: hostnames that are literally a blocked address or a local name. */
export function isBlockedHostname(hostname: string): boolean {
  // `localhost.` names the same host as `localhost`.
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost') || host === 'metadata.google.internal') return true;
  return isBlockedAddress(host);
}

/** Parses an endpoint URL: http(s) only, no credentials. Returns null when it is not acceptable. */
export function parseEndpointUrl(text: string): URL | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password || !url.hostname) return null;
  return url;
}

/** Two URLs that differ only by scheme/host case or a trailing slash are the same destination. */
export function normalizeEndpointUrl(text: string): string {
  const url = new URL(text);
  let normalized = `${url.protocol}//${url.host}${url.pathname}`.replace(/\/+$/, '');
  normalized += url.search;
  return normalized;
}
