import { DeliveryError } from './delivery-error.js';

describe('DeliveryError.fromHttpStatus (SPEC 4 retry rule)', () => {
  it.each([408, 429, 500, 502, 503, 599])('retries HTTP %i', (status) => {
    expect(DeliveryError.fromHttpStatus(status).retryable).toBe(true);
  });

  it.each([400, 401, 403, 404, 410, 422])('does not retry HTTP %i', (status) => {
    expect(DeliveryError.fromHttpStatus(status).retryable).toBe(false);
  });
});
