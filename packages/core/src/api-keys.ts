import { createHash } from 'node:crypto';

// API keys are stored as their SHA-256 only: a key is random enough (32 bytes) that a slow hash
// would add nothing but cost on every request.
export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');
