import { describe, expect, it } from '@jest/globals';
import { isBlockedAddress, isBlockedHostname, normalizeEndpointUrl, parseEndpointUrl } from './destinations.js';

describe('isBlockedAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private 10/8'],
    ['172.16.0.1', 'private 172.16/12, first'],
    ['172.31.255.255', 'private 172.16/12, last'],
    ['192.168.1.1', 'private 192.168/16'],
    ['169.254.169.254', 'cloud metadata (link-local)'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.255', 'CGNAT, last'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'IPv6 unspecified'],
    ['::1', 'IPv6 loopback'],
    ['fe80::1', 'IPv6 link-local'],
    ['fc00::1', 'IPv6 unique local'],
    ['fd00:ec2::254', 'AWS IPv6 metadata'],
    ['ff02::1', 'IPv6 multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::FFFF:169.254.169.254', 'IPv4-mapped metadata, upper case'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback in hex (as the URL parser writes it)'],
    ['::ffff:a00:1', 'IPv4-mapped private in hex'],
    ['::ffff:0:7f00:1', 'IPv4-translated loopback'],
    ['::7f00:1', 'IPv4-compatible loopback (deprecated form)'],
    ['::127.0.0.1', 'IPv4-compatible loopback, dotted'],
    ['64:ff9b::7f00:1', 'NAT64 of loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of the metadata address'],
    ['2002:7f00:1::1', '6to4 of loopback'],
    ['2002:a9fe:a9fe::', '6to4 of the metadata address'],
    ['2001:0:4136:e378::1', 'Teredo'],
    ['fec0::1', 'IPv6 site-local (deprecated)'],
    ['100::1', 'IPv6 discard-only'],
    ['fe80::1%eth0', 'IPv6 link-local with a zone index, as getaddrinfo answers it'],
    ['64:ff9b:1::1', 'local-use NAT64 (RFC 8215), first'],
    ['64:ff9b:1:ffff:ffff:ffff:ffff:ffff', 'local-use NAT64, last'],
    ['64:ff9b:1:a00:0:100::', 'local-use NAT64 of 10.0.0.1 in the /48 layout (RFC 6052: the address split around bits 64-71)'],
    ['64:ff9b:1:808:8:800::', 'local-use NAT64 of a public address: the translator is local, so all of it'],
    ['100:0:0:1::1', 'IPv6 dummy prefix'],
    ['2001:2::1', 'IPv6 benchmarking'],
    ['2001:10::1', 'ORCHID (deprecated)'],
    ['5f00::1', 'SRv6 segment identifier'],
    ['192.88.99.1', '6to4 relay anycast (deprecated)'],
    ['::ffff:192.88.99.1', 'IPv4-mapped 6to4 relay anycast'],
  ])('blocks %s (%s)', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each([
    ['8.8.8.8', 'public IPv4'],
    ['1.1.1.1', 'public IPv4'],
    ['172.32.0.1', 'just past 172.16/12'],
    ['172.15.255.255', 'just before 172.16/12'],
    ['100.128.0.1', 'just past CGNAT'],
    ['2606:4700:4700::1111', 'public IPv6'],
    ['::ffff:8.8.8.8', 'IPv4-mapped public'],
    ['64:ff9b::808:808', 'NAT64 of a public address (what DNS64 answers on an IPv6-only network)'],
    ['2002:808:808::1', '6to4 of a public address'],
    ['64:ff9b:0:ffff:ffff:ffff:ffff:ffff', 'just before local-use NAT64'],
    ['64:ff9b:2::1', 'just past local-use NAT64'],
    ['192.88.98.255', 'just before the 6to4 relay anycast'],
    ['5eff:ffff::1', 'just before the SRv6 block'],
  ])('allows %s (%s)', (address) => {
    expect(isBlockedAddress(address)).toBe(false);
  });

  it('is false for something that is not an IP address', () => {
    expect(isBlockedAddress('example.com')).toBe(false);
    expect(isBlockedAddress('')).toBe(false);
  });
});

describe('isBlockedHostname', () => {
  it.each([
    'localhost',
    'LOCALHOST',
    'foo.localhost',
    '[::1]',
    '::1',
    'metadata.google.internal',
    '127.0.0.1',
    '169.254.169.254',
    '[fd00:ec2::254]',
  ])('blocks %s', (host) => {
    expect(isBlockedHostname(host)).toBe(true);
  });

  it('blocks the fully qualified form with a trailing dot, which names the same host', () => {
    // new URL('http://localhost./').hostname is 'localhost.', and it resolves like 'localhost'.
    expect(isBlockedHostname('localhost.')).toBe(true);
    expect(isBlockedHostname('foo.localhost.')).toBe(true);
    expect(isBlockedHostname('metadata.google.internal.')).toBe(true);
  });

  it.each(['example.com', 'localhost.example.com', '8.8.8.8', '[2606:4700:4700::1111]'])('allows %s', (host) => {
    expect(isBlockedHostname(host)).toBe(false);
  });

  it.each([
    'http://[::ffff:127.0.0.1]/hook',
    'http://0x7f.1/hook',
    'http://2130706433/hook',
    'http://127.1/hook',
    'http://LocalHost:8080/hook',
    'http://017700000001/hook',
    'http://0x7f000001/hook',
    'http://0xa9.0xfe.0xa9.0xfe/latest/meta-data',
    'http://%31%32%37.0.0.1/hook',
    'http://127.0.0.1./hook',
    'http://0/hook',
    'http://[::]/hook',
    'http://[0:0:0:0:0:ffff:127.0.0.1]/hook',
    'http://[::127.0.0.1]/hook',
    'http://[64:ff9b::127.0.0.1]/hook',
    'http://[64:ff9b:1::10.0.0.1]/hook',
    'http://[64:ff9b:1:a00:0:100::]/hook',
    'http://100.64.0.1/hook',
    'http://224.0.0.1/hook',
  ])('blocks the hostname the URL parser makes of %s', (url) => {
    expect(isBlockedHostname(new URL(url).hostname)).toBe(true);
  });
});

describe('parseEndpointUrl', () => {
  it.each(['https://example.com/hooks', 'http://example.com:8080/hooks?x=1', 'https://[2606:4700:4700::1111]/'])(
    'accepts %s',
    (text) => {
      const url = parseEndpointUrl(text);
      expect(url).toBeInstanceOf(URL);
      expect(url?.href).toBe(new URL(text).href);
    },
  );

  it.each([
    'ftp://example.com/hooks',
    'javascript:alert(1)',
    'file:///etc/passwd',
    'data:text/plain,hi',
    'https://user:pass@example.com/hooks',
    'https://user@example.com/hooks',
    'https://:pass@example.com/hooks',
    'not a url',
    '',
    '/relative/path',
    'https://',
  ])('rejects %j', (text) => {
    expect(parseEndpointUrl(text)).toBeNull();
  });
});

describe('normalizeEndpointUrl', () => {
  it('treats scheme/host case and a trailing slash as the same destination', () => {
    expect(normalizeEndpointUrl('HTTPS://Example.COM/hooks/')).toBe(normalizeEndpointUrl('https://example.com/hooks'));
    expect(normalizeEndpointUrl('https://example.com/hooks')).toBe('https://example.com/hooks');
  });

  it('treats the bare host and the root path alike', () => {
    expect(normalizeEndpointUrl('https://example.com/')).toBe(normalizeEndpointUrl('https://example.com'));
  });

  it('drops a default port', () => {
    expect(normalizeEndpointUrl('https://example.com:443/hooks')).toBe('https://example.com/hooks');
  });

  it('keeps the query string', () => {
    expect(normalizeEndpointUrl('https://example.com/hooks?team=a')).toBe('https://example.com/hooks?team=a');
    expect(normalizeEndpointUrl('https://example.com/hooks?team=a')).not.toBe(normalizeEndpointUrl('https://example.com/hooks?team=b'));
    expect(normalizeEndpointUrl('https://example.com/hooks/?team=a')).toBe(normalizeEndpointUrl('https://example.com/hooks?team=a'));
  });

  it('keeps what tells destinations apart: path case, scheme, port', () => {
    expect(normalizeEndpointUrl('https://example.com/Hooks')).not.toBe(normalizeEndpointUrl('https://example.com/hooks'));
    expect(normalizeEndpointUrl('http://example.com/hooks')).not.toBe(normalizeEndpointUrl('https://example.com/hooks'));
    expect(normalizeEndpointUrl('https://example.com:8443/hooks')).not.toBe(normalizeEndpointUrl('https://example.com/hooks'));
  });
});
