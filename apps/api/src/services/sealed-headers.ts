import { headersPlaintext, maskHeaders, type HeaderMap, type SecretBox } from '@dispatch/core';

/**
 * The columns that store an endpoint's custom headers: sealed as one value (only the worker opens
 * it), the masked map that reads show, and no plaintext (which also clears what an upgrade left).
 */
export function sealedHeaderColumns(box: SecretBox, headers: HeaderMap) {
  const plaintext = headersPlaintext(headers);
  return { headersSealed: plaintext === null ? null : box.seal(plaintext), headersMasked: maskHeaders(headers), plaintextHeaders: null };
}
