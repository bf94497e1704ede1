import type { Dispatcher } from 'undici';
import { DeliveryError } from '../domain/delivery-error.js';

/** A POST, its deadline and how much of the answer's body is read to keep the connection. */
export interface StatusPost {
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly timeoutMs: number;
  readonly drainedBytes: number;
}

/**
 * POSTs through undici's dispatcher and answers the status as soon as the headers arrive.
 * undici's `request()` builds, per send, an async resource, an AbortSignal's listeners and a
 * Readable for a body nobody reads: in a burst, a good part of chime's CPU for a delivery.
 * One deadline bounds connecting (DNS included), sending and the headers: undici's own
 * timeouts restart with every byte, so a receiver that trickles would hold the send for days.
 * The status says it all; the body is then drained in the background within the same
 * deadline, up to `drainedBytes`, so that the connection is kept for the next send (past
 * either, it is closed).
 */
export function postForStatus(dispatcher: Dispatcher, post: StatusPost): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const { url, headers, body } = post;
    const handler = new StatusHandler(resolve, reject, post.timeoutMs, post.drainedBytes);
    const options = { origin: url.origin, path: url.pathname + url.search, headers, body };
    try {
      dispatcher.dispatch({ ...options, method: 'POST' }, handler);
    } catch (error) {
      handler.onResponseError(null, error as Error);
    }
  });
}

class StatusHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private reason: Error | null = null;
  private settled = false;
  private drained = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly resolve: (status: number) => void,
    private readonly reject: (error: Error) => void,
    timeoutMs: number,
    private readonly drainedBytes: number,
  ) {
    this.timer = setTimeout(
      () => this.abort(new DeliveryError(`timed out after ${timeoutMs} ms`, true)),
      timeoutMs,
    );
  }

  /** A deadline passed before the request had a connection: it is not written at all. */
  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.reason) return controller.abort(this.reason);
    this.controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    if (statusCode < 200 || this.settled) return;
    this.settled = true;
    this.resolve(statusCode);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.drained += chunk.length;
    if (this.drained > this.drainedBytes) controller.abort(new Error('answer too long to drain'));
  }

  onResponseEnd(): void {
    clearTimeout(this.timer);
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    clearTimeout(this.timer);
    this.fail(error);
  }

  private abort(reason: Error): void {
    this.reason = reason;
    this.fail(reason);
    this.controller?.abort(reason);
  }

  private fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }
}
