// The first thing `npm start` runs, before installing anything: plain Node with no dependencies, so a
// wrong setting is reported in well under a second instead of after the install and build. It checks
// what the start script itself acts on and the mistakes a first run makes; once dependencies are
// installed, check-config.ts judges everything with the apps' own schemas.
const env = process.env;
const problems = [];
const problem = (name, message) => problems.push(`  ${name}: ${message}`);

function checkUrl(name, protocols) {
  const text = env[name];
  if (text === undefined || text === '') return;
  let url;
  try {
    url = new URL(text);
  } catch {
    return problem(name, `not a URL (expected e.g. ${protocols[0]}//host:port)`);
  }
  if (!protocols.includes(url.protocol)) problem(name, `must start with ${protocols.join(' or ')}`);
  else if (!url.hostname) problem(name, 'names no host');
}

checkUrl('DATABASE_URL', ['postgres:', 'postgresql:']);
// A Redis Cluster's or Sentinel's seed list is no single URL: the apps' schema judges it after the install.
if (!/^rediss?\+(cluster|sentinel):\/\//.test(env.REDIS_URL ?? '')) checkUrl('REDIS_URL', ['redis:', 'rediss:']);

// The API's schema says the same; repeated here because a short token is the classic first-run mistake.
if (env.DISPATCH_ADMIN_TOKEN !== undefined && env.DISPATCH_ADMIN_TOKEN.length < 16) problem('DISPATCH_ADMIN_TOKEN', 'must be at least 16 characters');

if (env.PORT !== undefined && !(/^\d+$/.test(env.PORT) && Number(env.PORT) <= 65535)) problem('PORT', 'must be a port number (0-65535)');

if (env.DISPATCH_QUEUE_BACKEND !== undefined && !['', 'redis', 'postgres'].includes(env.DISPATCH_QUEUE_BACKEND)) {
  problem('DISPATCH_QUEUE_BACKEND', 'must be redis or postgres');
}

const flags = ['true', 'false', '1', '0', 'yes', 'no', ''];
for (const name of ['DISPATCH_ALLOW_PRIVATE_DESTINATIONS', 'DISPATCH_NEW_ADMIN_TOKEN']) {
  if (env[name] !== undefined && !flags.includes(env[name])) problem(name, `must be one of ${flags.filter(Boolean).join(', ')}`);
}

if (problems.length > 0) {
  console.error(`error: invalid configuration:\n${problems.join('\n')}`);
  process.exit(1);
}
