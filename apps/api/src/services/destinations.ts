import { badRequest, isBlockedHostname, normalizeEndpointUrl, parseEndpointUrl, PRIVATE_DESTINATION_REFUSAL } from '@dispatch/core';
import type { ApiDeps } from '../deps.js';

/** Create/update-time URL check; the worker checks the resolved address again at connect time. */
export function validateDestination(deps: ApiDeps, url: string): { url: string; urlNormalized: string } {
  const parsed = parseEndpointUrl(url);
  if (!parsed) throw badRequest('url: must be an http(s) URL without credentials', [{ path: 'url', message: 'must be an http(s) URL without credentials' }]);
  if (!deps.config.DISPATCH_ALLOW_PRIVATE_DESTINATIONS && isBlockedHostname(parsed.hostname)) {
    const message = `destination is ${PRIVATE_DESTINATION_REFUSAL}`;
    throw badRequest(`url: ${message}`, [{ path: 'url', message }]);
  }
  return { url: parsed.toString(), urlNormalized: normalizeEndpointUrl(url) };
}
