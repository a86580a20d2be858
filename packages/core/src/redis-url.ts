// REDIS_URL in its three forms, parsed without any Redis client (core does no I/O): the queue package
// turns the result into ioredis options, and the config refuses a URL this cannot read.
//
//   redis://[user:password@]host[:port][/db]                    one server
//   redis+cluster://[user:password@]h1:7000,h2:7001             Redis Cluster, any few nodes as seeds
//   redis+sentinel://[user:password@]s1:26379,s2:26379/mymaster[/db][?sentinelPassword=…]
//                                                               Sentinel, then the master it names
// A `rediss` scheme turns TLS on (for the sentinels too). The user and password are the data
// nodes' (every cluster node shares them); sentinels with a password of their own take it from the query.

export interface RedisNode {
  host: string;
  port: number;
}

interface Credentials {
  username?: string | undefined;
  password?: string | undefined;
  tls: boolean;
}

export type RedisTarget =
  | ({ mode: 'standalone'; host: string; port: number; db?: number | undefined } & Credentials)
  | ({ mode: 'cluster'; nodes: RedisNode[] } & Credentials)
  | ({ mode: 'sentinel'; sentinels: RedisNode[]; masterName: string; db?: number | undefined; sentinelPassword?: string | undefined } & Credentials);

const SCHEME = /^(rediss?)(?:\+(cluster|sentinel))?:\/\/(.*)$/i;
const FORMS = 'redis://host:port, redis+cluster://host:port,host:port or redis+sentinel://host:port,host:port/master (rediss… for TLS)';

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new Error(`the ${what} in REDIS_URL is not valid percent-encoding`);
  }
}

function parseNode(text: string, defaultPort: number): RedisNode {
  // [v6::addr]:port, or host:port, or host alone.
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9._-]+))(?::(\d{1,5}))?$/.exec(text);
  const port = match?.[3] === undefined ? defaultPort : Number(match[3]);
  if (!match || port < 1 || port > 65535) throw new Error(`"${text}" is not a host[:port] (ports 1-65535)`);
  return { host: match[1] ?? match[2]!, port };
}

function parseDb(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^\d{1,2}$/.test(text)) throw new Error(`the database "${text}" is not a number 0-99`);
  return Number(text);
}

/** Reads a REDIS_URL; throws an Error whose message says what is wrong (the config shows it). */
export function parseRedisUrl(url: string): RedisTarget {
  const scheme = SCHEME.exec(url.trim());
  if (!scheme) throw new Error(`expected ${FORMS}`);
  const tls = scheme[1]!.toLowerCase() === 'rediss';
  const mode = (scheme[2]?.toLowerCase() ?? 'standalone') as RedisTarget['mode'];
  const [withoutQuery = '', query = ''] = scheme[3]!.split('?', 2) as [string, string?];
  const at = withoutQuery.lastIndexOf('@');
  const userinfo = at >= 0 ? withoutQuery.slice(0, at) : undefined;
  const [authority = '', ...path] = withoutQuery.slice(at + 1).split('/');
  const credentials: Credentials = { tls };
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    const username = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    const password = colon >= 0 ? userinfo.slice(colon + 1) : '';
    if (username) credentials.username = decode(username, 'user name');
    if (password) credentials.password = decode(password, 'password');
  }
  const hosts = authority.split(',').filter((part) => part !== '');
  if (hosts.length === 0) throw new Error(`no host in REDIS_URL; expected ${FORMS}`);
  const params = new URLSearchParams(query);

  if (mode === 'standalone') {
    if (hosts.length > 1) throw new Error('several hosts need redis+cluster:// or redis+sentinel://');
    if (path.length > 1) throw new Error('the path of a redis:// URL is only the database number');
    return { mode, ...parseNode(hosts[0]!, 6379), db: parseDb(path[0]), ...credentials };
  }
  if (mode === 'cluster') {
    // A cluster has one database; a path would be silently ignored, so it is refused.
    if (path.some((part) => part !== '')) throw new Error('a redis+cluster:// URL has no path (a cluster has only database 0)');
    return { mode, nodes: hosts.map((host) => parseNode(host, 6379)), ...credentials };
  }
  const [masterName, db, ...rest] = path;
  if (!masterName || !/^[A-Za-z0-9._-]+$/.test(masterName)) throw new Error('a redis+sentinel:// URL names its master as the path, e.g. /mymaster');
  if (rest.length > 0) throw new Error('the path of a redis+sentinel:// URL is /master[/db]');
  const sentinelPassword = params.get('sentinelPassword') ?? undefined;
  return { mode, sentinels: hosts.map((host) => parseNode(host, 26379)), masterName, db: parseDb(db), sentinelPassword, ...credentials };
}

