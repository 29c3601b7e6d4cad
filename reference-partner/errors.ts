// The reference partner's own answers when it refuses a request, as a partner's loyalty system would
// have its own: a closed list of codes, each with its status. It shares no error type with the
// gateway it stands in front of; refusals of a step (insufficient points...) are answers, not errors.
export const referencePartnerCodes = {
  /** The request was not signed by the gateway, or the signature did not verify. */
  signature_refused: 401,
  validation_failed: 400,
  /** An injected fault: the system is "down". */
  unavailable: 503,
  internal_error: 500,
} as const;

export type ReferencePartnerCode = keyof typeof referencePartnerCodes;

export class ReferencePartnerError extends Error {
  readonly code: ReferencePartnerCode;
  readonly status: (typeof referencePartnerCodes)[ReferencePartnerCode];

  constructor(code: ReferencePartnerCode, detail: string) {
    super(detail);
    this.name = 'ReferencePartnerError';
    this.code = code;
    this.status = referencePartnerCodes[code];
  }
}
