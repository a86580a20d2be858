import { encryptionKeyFields, parseConfig, SecretBox, sharedConfigFields, withEncryptionKeys } from '@dispatch/core';
import { createDb, runMigrations } from '@dispatch/db';
import { z } from 'zod';
import { sealPlaintextHeaders } from './services/secrets.service.js';

// Applies the generated migrations, then seals what SQL could not (it has no key): custom headers
// an older version stored in plaintext. Run before starting API processes; needs the encryption key.
const config = (() => {
  try {
    return parseConfig(z.object({ DATABASE_URL: sharedConfigFields.DATABASE_URL, ...encryptionKeyFields }).transform(withEncryptionKeys), process.env);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
})();

const handle = createDb(config.DATABASE_URL, { max: 1, applicationName: 'dispatch-migrate' });
try {
  await runMigrations(handle.db);
  const sealed = await sealPlaintextHeaders({ db: handle.db, secretBox: new SecretBox(config.encryptionKeys) });
  console.error(sealed > 0 ? `migrations applied; sealed the plaintext custom headers of ${sealed} endpoint(s)` : 'migrations applied');
} finally {
  await handle.close();
}
