import { BlockList, isIP } from 'node:net';

// Addresses a webhook may never reach (SSRF): loopback, private, link-local (cloud metadata lives at
// 169.254.169.254 and fd00:ec2::254), CGNAT, multicast, unspecified, the other ranges IANA's
// special-purpose registries mark not globally reachable because they lead into the local network
// (benchmarking, local-use NAT64, SRv6 segment ids, a deprecated relay anycast), and every IPv6 form
// that carries one of those IPv4 addresses (IPv4-mapped, IPv4-translated, IPv4-compatible, NAT64, 6to4).
// The documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, 3fff::/20)
// are left alone: nothing routes them anywhere, local or not.
/**
 * Said with every refusal of a private destination (the API's 400 and the worker's refusal at connect
 * time): someone trying Dispatch against a receiver on their own machine learns which setting allows it.
 */
export const PRIVATE_DESTINATION_REFUSAL =
  'a loopback, private, link-local or metadata address (set DISPATCH_ALLOW_PRIVATE_DESTINATIONS=true to allow them, for development only)';

const blockedIpv4 = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated): answered by whatever relay the local network runs
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const;

const blocked = new BlockList();
for (const [net, bits] of blockedIpv4) {
  // BlockList also matches these rules against IPv4-mapped IPv6 (::ffff:a.b.c.d, ::ffff:7f00:1).
  blocked.addSubnet(net, bits, 'ipv4');
  const [hi, lo] = ipv4Groups(net);
  // NAT64 (64:ff9b::/96): only the embedded private addresses, so DNS64 answers for public hosts still work.
  blocked.addSubnet(`64:ff9b::${hi}:${lo}`, 96 + bits, 'ipv6');
  // IPv4-translated (::ffff:0:a.b.c.d) and 6to4 (2002:AABB:CCDD::/48).
  blocked.addSubnet(`::ffff:0:${hi}:${lo}`, 96 + bits, 'ipv6');
  blocked.addSubnet(`2002:${hi}:${lo}::`, 16 + bits, 'ipv6');
}
for (const [net, bits] of [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible ::a.b.c.d
  // Local-use NAT64 (RFC 8215): a translator of the local network's own, reaching any IPv4 address
  // behind it, private ones included, in forms the 64:ff9b::/96 rules above do not parse.
  ['64:ff9b:1::', 48],
  ['100::', 64], // discard-only
  ['100:0:0:1::', 64], // dummy prefix (RFC 9780)
  ['2001::', 32], // Teredo
  ['2001:2::', 48], // benchmarking (as 198.18.0.0/15)
  ['2001:10::', 28], // ORCHID (deprecated)
  ['5f00::', 16], // SRv6 segment identifiers (RFC 9602): functions inside an operator's network
  ['fc00::', 7], // unique local (fd00:ec2::254 is AWS metadata)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(net, bits, 'ipv6');
}

function ipv4Groups(address: string): [string, string] {
  const [a, b, c, d] = address.split('.').map(Number) as [number, number, number, number];
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}

/** Whether an IP address (v4, or v6 with an optional zone) is one a webhook may not reach; false for non-IPs. */
export function isBlockedAddress(address: string): boolean {
  // A zone index (fe80::1%eth0, as getaddrinfo may answer for link-local) names an interface, not an address.
  const bare = address.replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, 'ipv4');
  if (family === 6) return blocked.check(bare, 'ipv6');
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
