/** An expected failure with a stable code; the global filter maps it to HTTP. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** What the response's `message` carries when there is more than one thing to say. */
    readonly details?: string[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}
