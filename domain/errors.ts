// The closed list of problem codes the gateway answers with. Each code has one HTTP status and one
// title; the map is exhaustive, so adding a code without deciding its status does not compile.

export const problemCatalog = {
  // 400: the request itself is wrong.
  validation_failed: { status: 400, title: 'The request is not valid' },
  malformed_json: { status: 400, title: 'The request body is not valid JSON' },
  malformed_request: { status: 400, title: 'The request is not well-formed HTTP' },
  idempotency_key_missing: { status: 400, title: 'An Idempotency-Key header is required' },
  idempotency_key_invalid: { status: 400, title: 'The Idempotency-Key header is not valid' },
  partner_key_invalid: { status: 400, title: 'The public key is not usable' },
  // 401: who is calling could not be established.
  signature_missing: { status: 401, title: 'The request is not signed' },
  signature_malformed: { status: 401, title: 'The request signature is not a readable JWT' },
  signature_algorithm_refused: { status: 401, title: 'The signature algorithm is not accepted' },
  signature_key_unknown: { status: 401, title: 'The signing key is not registered' },
  signature_invalid: { status: 401, title: 'The signature does not verify' },
  signature_expired: { status: 401, title: 'The signed request has expired' },
  signature_not_yet_valid: { status: 401, title: 'The signed request is not valid yet' },
  signature_lifetime_too_long: { status: 401, title: 'The signed request lives too long' },
  signature_claims_missing: { status: 401, title: 'The signed request lacks required claims' },
  signature_audience_mismatch: { status: 401, title: 'The signed request is meant for another audience' },
  signature_method_mismatch: { status: 401, title: 'The signed method is not the request method' },
  signature_path_mismatch: { status: 401, title: 'The signed path is not the request path' },
  signature_body_mismatch: { status: 401, title: 'The body is not the one that was signed' },
  signature_replayed: { status: 401, title: 'This signed request was already used' },
  partner_suspended: { status: 401, title: 'The partner is suspended' },
  // 403: the caller is known but may not do this.
  forbidden: { status: 403, title: 'The caller may not do this' },
  // 404, 405, 408, 409, 413, 415, 431.
  not_found: { status: 404, title: 'Not found' },
  sandbox_not_enabled: { status: 404, title: 'This gateway runs without a partner sandbox' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  request_timeout: { status: 408, title: 'The request did not arrive in time' },
  idempotency_key_reused: { status: 409, title: 'The Idempotency-Key was used with another request' },
  idempotency_request_in_progress: {
    status: 409,
    title: 'A request with this Idempotency-Key is in progress',
  },
  partner_key_exists: { status: 409, title: 'A key with this id is already registered' },
  partner_key_last_active: { status: 409, title: 'The last active key cannot be retired' },
  quote_expired: { status: 409, title: 'The quote has expired' },
  agreement_version_conflict: { status: 409, title: 'The agreement version cannot change this way' },
  member_link_exists: { status: 409, title: 'The account is already linked' },
  instruction_already_paid: { status: 409, title: 'The payment instruction was paid with another reference' },
  cycle_not_closed: { status: 409, title: 'The settlement cycle is still open' },
  transfer_not_completed: { status: 409, title: 'Only a completed transfer can be reversed' },
  transfer_not_held: {
    status: 409,
    title: 'The transfer is not held: its hold was released, cancelled or expired',
  },
  hold_terms_changed: {
    status: 409,
    title: 'The terms the held transfer was priced at are no longer in force',
  },
  item_not_on_sale: { status: 409, title: 'The item is not on sale now' },
  item_withdrawn: { status: 409, title: 'The item was withdrawn' },
  external_ref_taken: { status: 409, title: 'Another of your items has this externalRef' },
  sold_out: { status: 409, title: 'The item is sold out' },
  purchase_limit_reached: { status: 409, title: 'The member has bought as many of this item as it allows' },
  coupon_already_redeemed: { status: 409, title: 'The coupon was redeemed already' },
  coupon_expired: { status: 409, title: 'The coupon has expired' },
  payment_not_authorized: {
    status: 409,
    title: 'The points payment is not authorized now (still authorizing, captured, voided or expired)',
  },
  payment_not_captured: { status: 409, title: 'Only a captured points payment can be refunded' },
  cash_agreement_not_offered: { status: 409, title: 'The cash agreement is not waiting for acceptance' },
  flag_already_resolved: { status: 409, title: 'The flag was resolved already, for another reason' },
  accrual_not_completed: { status: 409, title: 'Only a completed accrual can be refunded' },
  order_already_accrued: {
    status: 409,
    title: 'This order reference already earned points, with other figures',
  },
  break_already_resolved: {
    status: 409,
    title: 'The break was resolved otherwise; a resolution is kept for good',
  },
  partner_not_active: { status: 409, title: 'The partner is suspended; resume it first' },
  exposure_cap_exceeded: { status: 422, title: 'The source partner would owe more than its exposure cap' },
  reversal_exceeds_transfer: { status: 422, title: 'The reversal asks for more than is left unreversed' },
  reversal_too_small: { status: 422, title: 'The reversal would take back no destination point' },
  capture_exceeds_authorization: { status: 422, title: 'The capture asks for more than was authorized' },
  refund_exceeds_capture: { status: 422, title: 'The refund asks for more than is left unrefunded' },
  refund_exceeds_purchase: { status: 422, title: 'The refund is larger than what is left of the purchase' },
  accrual_too_small: { status: 422, title: 'The purchase earns no point' },
  payment_too_small: { status: 422, title: 'The points would be worth no money' },
  currency_not_agreed: { status: 422, title: 'The earn agreement is in another currency' },
  // 422: understood, but the rules refuse it.
  agreement_not_in_force: { status: 422, title: 'No agreement is in force between these programmes' },
  amount_below_minimum: { status: 422, title: 'The amount is below the minimum' },
  amount_above_maximum: { status: 422, title: 'The amount is above the maximum' },
  amount_out_of_range: { status: 422, title: 'An amount would be larger than the ledger can hold' },
  daily_cap_exceeded: { status: 422, title: "The member's daily cap would be exceeded" },
  link_cooling_off: { status: 422, title: 'The link is new: transfers out are limited during cooling-off' },
  member_link_missing: { status: 422, title: 'The member is not linked to this programme' },
  rate_arbitrage: { status: 422, title: 'The rates would make a cycle that creates points' },
  program_not_found: { status: 422, title: 'The programme does not exist' },
  counterparty_suspended: { status: 422, title: 'A partner of this transfer is suspended' },
  program_not_hosted: {
    status: 422,
    title: "The programme's points are kept by its partner, not by the gateway",
  },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'The request body must be application/json' },
  request_headers_too_large: { status: 431, title: 'The request headers are too large' },
  // 5xx: our side.
  internal_error: { status: 500, title: 'Internal error' },
  dependency_unavailable: { status: 503, title: 'A service the gateway depends on is unavailable' },
  sandbox_unavailable: { status: 503, title: 'The partner sandbox is not running or did not answer' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof problemCatalog;

export interface FieldError {
  /** The field's path in the request, dotted: `programs.0.name`, or a header or parameter name. */
  field: string;
  message: string;
}

/** A refusal the caller can act on; rendered as RFC 9457 problem+json by the gateway. */
export class ProblemError extends Error {
  readonly code: ProblemCode;
  readonly detail: string;
  readonly fieldErrors: readonly FieldError[];

  constructor(code: ProblemCode, detail: string, fieldErrors: readonly FieldError[] = []) {
    super(`${code}: ${detail}`);
    this.name = 'ProblemError';
    this.code = code;
    this.detail = detail;
    this.fieldErrors = fieldErrors;
  }

  get status(): number {
    return problemCatalog[this.code].status;
  }
}
