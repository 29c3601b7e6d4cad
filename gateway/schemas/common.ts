// Shapes shared by many routes: the Idempotency-Key header and the security requirements.
import { z } from '@hono/zod-openapi';

export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
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

export const signedRequestDescription = [
  'Every request carries `Authorization: Bearer <jwt>`: a JWT signed with one of your registered keys',
  '(RS256, PS256, ES256 or EdDSA) whose header names the key (`kid`) and whose claims are',
  '`iss` (your partner id, or `operator`), `aud` (the gateway audience), `iat`, `exp` (at most 300 s after `iat`),',
  'a unique `jti`, `method`, `path` (path and query as sent) and `body_sha256`',
  '(base64url SHA-256 of the exact body bytes; of the empty string when there is no body).',
].join(' ');
