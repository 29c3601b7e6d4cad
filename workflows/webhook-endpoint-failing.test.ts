// Which failed deliveries say the partner's endpoint is failing (so an expiry run stops calling it)
// and which only say it refused one notice (so the run goes on to the next).
import { describe, expect, it } from 'vitest';
import { endpointFailing, WebhookNotDelivered } from './webhook-activities.ts';

describe('endpointFailing', () => {
  it('is true for no answer, 5xx, 408 and 429', () => {
    for (const answered of [null, 500, 502, 503, 408, 429]) {
      expect(endpointFailing(new WebhookNotDelivered('x', answered))).toBe(true);
    }
  });
  it('is false for a notice refused with another 4xx, and for other errors', () => {
    for (const answered of [400, 401, 404, 409, 422]) {
      expect(endpointFailing(new WebhookNotDelivered('x', answered))).toBe(false);
    }
    expect(endpointFailing(new Error('the partner has no webhook URL'))).toBe(false);
  });
});
