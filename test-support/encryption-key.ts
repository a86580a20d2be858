import { randomBytes } from 'node:crypto';

// Dispatch has no built-in encryption key, so tests bring their own: a random one per test file
// (jest loads this module once per file), shared by the harness and every child process it
// spawns, since they open each other's sealed values.
export const TEST_ENCRYPTION_KEY = randomBytes(32).toString('base64');

/** This file's key, and no key ring inherited from the developer's shell (both set is refused). */
export function testEncryptionEnv(): { DISPATCH_ENCRYPTION_KEY: string; DISPATCH_ENCRYPTION_KEYS: string } {
  return { DISPATCH_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, DISPATCH_ENCRYPTION_KEYS: '' };
}
