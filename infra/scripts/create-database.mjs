// Creates the database named in DATABASE_URL when it does not exist yet; exits 0 when it does.
// Runs from Node rather than psql so a machine needs no Postgres client tools. `pg` is resolved
// from packages/db, the one workspace package that depends on it.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../packages/db/package.json', import.meta.url));
let pg;
try {
  pg = require('pg');
} catch {
  console.error('create-database: cannot load `pg` from packages/db; install dependencies first (pnpm install)');
  process.exit(1);
}

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/dispatch';
const target = new URL(process.env.DATABASE_URL || DEFAULT_URL);
const dbName = decodeURIComponent(target.pathname.replace(/^\//, ''));
if (!dbName) {
  console.error(`create-database: DATABASE_URL names no database (${redact(target)})`);
  process.exit(1);
}

// Postgres accepts TCP connections briefly before it accepts sessions (e.g. a container's first boot).
const TRANSIENT = new Set(['57P03', 'ECONNREFUSED', 'ECONNRESET']);

function redact(url) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

async function connect(connectionString) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      return client;
    } catch (err) {
      await client.end().catch(() => {});
      if (!TRANSIENT.has(err.code) || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function databaseExists() {
  try {
    const client = await connect(target.toString());
    await client.end();
    return true;
  } catch (err) {
    if (err.code === '3D000') return false; // invalid_catalog_name: the database does not exist
    throw err;
  }
}

async function createDatabase() {
  let lastError;
  // `postgres` is the usual maintenance database; template1 always exists.
  for (const maintenance of ['postgres', 'template1']) {
    let client;
    try {
      client = await connect(withDatabase(target, maintenance));
    } catch (err) {
      lastError = err;
      continue;
    }
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
      if (rowCount === 0) {
        const ident = '"' + dbName.replaceAll('"', '""') + '"';
        await client.query(`CREATE DATABASE ${ident}`);
        console.error(`create-database: created database ${dbName}`);
      }
      return;
    } catch (err) {
      if (err.code === '42P04') return; // duplicate_database: created concurrently
      throw err;
    } finally {
      await client.end().catch(() => {});
    }
  }
  throw lastError;
}

try {
  if (!(await databaseExists())) await createDatabase();
} catch (err) {
  console.error(`create-database: ${err.message} (${redact(target)})`);
  process.exit(1);
}
