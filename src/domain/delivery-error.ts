/** A failed send; `retryable` ones are tried again (SPEC 4: network, timeout, 408, 429, 5xx). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }

  /** SPEC 4's rule for HTTP answers. */
  static fromHttpStatus(status: number): DeliveryError {
    const retryable = status === 408 || status === 429 || status >= 500;
    return new DeliveryError(`HTTP ${status}`, retryable);
  }
}
