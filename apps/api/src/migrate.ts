import { parseConfig, sharedConfigFields } from '@dispatch/core';
import { createDb, runMigrations } from '@dispatch/db';
import { z } from 'zod';

// Applies the generated migrations and exits; run before starting API processes.
const config = (() => {
  try {
    return parseConfig(z.object({ DATABASE_URL: sharedConfigFields.DATABASE_URL }), process.env);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
})();

const handle = createDb(config.DATABASE_URL, { max: 1, applicationName: 'dispatch-migrate' });
try {
  await runMigrations(handle.db);
  console.error('migrations applied');
} finally {
  await handle.close();
}
