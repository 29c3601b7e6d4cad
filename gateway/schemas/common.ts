// Shapes shared by many routes: the one rule for text, the Idempotency-Key header and the security
// requirements.
import { z } from '@hono/zod-openapi';

/**
 * The one rule for every string a caller sends (body, path, query, header): no C0 control
 * character (NUL included, which PostgreSQL cannot store), no DEL, and no unpaired UTF-16
 * surrogate (it cannot be encoded as UTF-8). Written without the `u` flag so that the same pattern
 * reads the same in the OpenAPI document: a surrogate pair is allowed as a pair.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point.
export const textPattern = /^(?:[^\x00-\x1f\x7f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;
export const textMessage = 'must not contain control characters or unpaired surrogates';

export interface TextLimits {
  min?: number;
  max: number;
  /** Surrounding spaces are dropped before the length is checked (names, references, reasons). */
  trim?: boolean;
}

/** A string under the text rule, with a length limit; every free-text schema is built here. */
export function text({ min = 0, max, trim = false }: TextLimits) {
  // The rule runs before the trim, so that a control character is refused even at either end.
  const checked = z.string().regex(textPattern, textMessage);
  return (trim ? checked.trim() : checked).min(min).max(max);
}

const documentPattern =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point.
  /^(?:[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;

/** A whole document sent as a string (a CSV file): the text rule, with tabs and line breaks allowed. */
export function documentText(max: number) {
  return z
    .string()
    .regex(documentPattern, 'must not contain control characters other than tabs and line breaks')
    .max(max);
}

/** An absolute http(s) URL, under the text rule (the URL parser alone lets a NUL through). */
export function httpUrl(max: number) {
  return text({ max })
    .pipe(z.url({ protocol: /^https?$/ }))
    .openapi({ format: 'uri' });
}

const idempotencyKeyPattern = /^[\x21-\x7e]+$/;

export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(idempotencyKeyPattern, 'must be visible ASCII characters')
    .min(1)
    .max(255)
    .openapi({
      param: { in: 'header', required: true },
      description:
        'Your key for this operation. A repeat with the same key returns the first answer unchanged.',
      example: 'order-7731-transfer',
    }),
});

export const partnerSecurity = [{ partnerSignature: [] }];
export const operatorSecurity = [{ operatorSignature: [] }];
export const financeSecurity = [{ financeSignature: [] }];

export const signedRequestDescription = [
  'Every request carries `Authorization: Bearer <jwt>`: a JWT signed with one of your registered keys',
  '(RS256, PS256, ES256 or EdDSA) whose header names the key (`kid`) and whose claims are',
  '`iss` (your partner id, or `operator`), `aud` (the gateway audience), `iat`, `exp` (at most 300 s after `iat`),',
  'a unique `jti`, `method`, `path` (path and query as sent) and `body_sha256`',
  '(base64url SHA-256 of the exact body bytes; of the empty string when there is no body).',
].join(' ');
