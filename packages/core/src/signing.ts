import { randomBytes } from 'node:crypto';
import { Webhook } from 'svix';

// Standard Webhooks signing through the svix library: `v1,<base64 HMAC-SHA256(id.timestamp.body)>`.
export const SECRET_PREFIX = 'whsec_';

export function generateSecret(bytes = 32): string {
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

// No cache of signers: building one only decodes the key, which is small next to the HMAC itself,
// and a cache would be a long-lived map keyed by plaintext secrets that keeps a rotated-out secret in
// memory. The worker holds opened secrets in its SecretCache, where every entry expires.

/**
 * Signature header value for one request. With several secrets (during a rotation's grace period)
 * the signatures are space-separated, newest first, so receivers on either secret verify.
 */
export function signPayload(secrets: readonly string[], msgId: string, timestamp: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(msgId, timestamp, body)).join(' ');
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
  'svix-id': string;
  'svix-timestamp': string;
  'svix-signature': string;
}

export function signedHeaders(secrets: readonly string[], msgId: string, at: Date, body: string): SignedHeaders {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signature = signPayload(secrets, msgId, at, body);
  return {
    'webhook-id': msgId,
    'webhook-timestamp': timestamp,
    'webhook-signature': signature,
    'svix-id': msgId,
    'svix-timestamp': timestamp,
    'svix-signature': signature,
  };
}
