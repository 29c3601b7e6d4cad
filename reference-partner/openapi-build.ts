// Builds openapi/partner.json, the contract a partner's loyalty system implements for the gateway,
// from the reference partner's routes. The books are never touched while describing the routes.
import { createReferencePartnerApp } from './app.ts';
import type { PartnerBooks } from './store.ts';

export const partnerDocumentConfig = {
  openapi: '3.1.0',
  info: {
    title: 'Points alliance: the partner loyalty system contract',
    version: '0.1.0',
    description: [
      'What a partner system exposes to the gateway when it keeps its own points (programmes with ledger',
      '`partner_system`). Every call is signed by the gateway (see the security scheme) and carries the',
      "step's idempotency key, in the body and in the Idempotency-Key header: a repeated key must return the",
      'first answer and never take effect twice. Answer 2xx when done, 422 with a Refusal when refused for',
      'good; anything else (5xx, no answer) makes the gateway retry with the same key, or ask',
      'GET /loyalty/operations/{key}: an unknown key must then be recorded as abandoned and refused if it',
      'ever arrives, so that the gateway can safely compensate.',
    ].join(' '),
  },
};

export function buildPartnerOpenApiDocument(): string {
  const { app } = createReferencePartnerApp({
    partnerId: () => 'ptn_contract',
    books: {} as PartnerBooks,
    gatewayIssuer: 'points-alliance-gateway',
    gatewayPublicKeys: () => [],
  });
  return `${JSON.stringify(app.getOpenAPI31Document(partnerDocumentConfig), null, 2)}\n`;
}
