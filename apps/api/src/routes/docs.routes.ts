import { Router } from 'express';
import { API_REFERENCE_CSS, renderApiReference, type OpenApiDocument } from '../docs/api-reference.js';

// GET /docs: the API reference, rendered once from the same OpenAPI document as /api/openapi.json.
// Its own files only, no script: the policy below forbids anything else.
const HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function docsRouter(openApi: OpenApiDocument): Router {
  const page = renderApiReference(openApi);
  const router = Router();
  router.get('/', (_req, res) => {
    res.set(HEADERS).type('html').send(page);
  });
  router.get('/reference.css', (_req, res) => {
    res.set(HEADERS).type('css').set('cache-control', 'no-cache').send(API_REFERENCE_CSS);
  });
  return router;
}
