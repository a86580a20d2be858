import { z } from 'zod';
import { route } from '../http/route.js';
import { resealSecrets, secretsStatus } from '../services/secrets.service.js';

// Operator routes for the encryption key ring, authenticated with DISPATCH_ADMIN_TOKEN. Counts only:
// no sealed value, key id of a value or key material ever leaves.

export const secretsRoutes = [
  route({
    method: 'get',
    path: '/admin/secrets',
    access: 'admin',
    handler: ({ deps }) => secretsStatus(deps),
  }),
  route({
    method: 'post',
    path: '/admin/secrets/reseal',
    access: 'admin',
    body: z.strictObject({ limit: z.number().int().min(1).max(1000).default(500) }),
    handler: ({ deps, body }) => resealSecrets(deps, body.limit),
  }),
];
