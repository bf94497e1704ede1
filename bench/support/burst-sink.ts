/*
 * The webhook receiver of the burst benches, run as its own process (`fork`) so that it
 * shares no event loop with chime or the bench: an ordinary `node:http` server with Node's
 * defaults, which answers every request 204 once its body has arrived, and records when
 * each arrived. The parent talks to it over IPC:
 * see sink-process.ts.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** What the sink recorded, one entry per request, in arrival order. */
export interface SinkRecords {
  /** `performance.timeOrigin + performance.now()` when the request's headers arrived. */
  readonly receivedAt: Float64Array;
  /** `Date.now()` at the same moment: the wall clock chime's own clock reads. */
  readonly receivedWall: Float64Array;
  /** The `webhook-id` header (the occurrence id), or '' when absent. */
  readonly ids: string[];
  /** The body's `scheduledFor`, in ms since the epoch; NaN when unreadable. */
  readonly scheduledFor: Float64Array;
}

export type SinkRequest = { type: 'count' } | { type: 'records' } | { type: 'reset' };
export type SinkReply =
  | { type: 'listening'; port: number }
  | { type: 'count'; count: number }
  | { type: 'records'; records: SinkRecords }
  | { type: 'reset' };

const INITIAL_CAPACITY = 1 << 17;

class Recorder {
  private receivedAt = new Float64Array(INITIAL_CAPACITY);
  private receivedWall = new Float64Array(INITIAL_CAPACITY);
  private scheduledFor = new Float64Array(INITIAL_CAPACITY);
  private ids: string[] = [];
  count = 0;

  /** Takes the arrival moment now; the id and body come later, when the body has arrived. */
  arrive(): number {
    if (this.count === this.receivedAt.length) this.grow();
    const index = this.count++;
    this.receivedAt[index] = performance.timeOrigin + performance.now();
    this.receivedWall[index] = Date.now();
    this.scheduledFor[index] = Number.NaN;
    this.ids[index] = '';
    return index;
  }

  complete(index: number, id: string, body: string): void {
    this.ids[index] = id;
    this.scheduledFor[index] = scheduledForOf(body);
  }

  records(): SinkRecords {
    return {
      receivedAt: this.receivedAt.slice(0, this.count),
      receivedWall: this.receivedWall.slice(0, this.count),
      ids: this.ids.slice(0, this.count),
      scheduledFor: this.scheduledFor.slice(0, this.count),
    };
  }

  reset(): void {
    this.count = 0;
    this.ids = [];
  }

  private grow(): void {
    const grown = (array: Float64Array) => {
      const bigger = new Float64Array(array.length * 2);
      bigger.set(array);
      return bigger;
    };
    this.receivedAt = grown(this.receivedAt);
    this.receivedWall = grown(this.receivedWall);
    this.scheduledFor = grown(this.scheduledFor);
  }
}

function scheduledForOf(body: string): number {
  try {
    return Date.parse((JSON.parse(body) as { scheduledFor?: string }).scheduledFor ?? '');
  } catch {
    return Number.NaN;
  }
}

function handle(recorder: Recorder, request: IncomingMessage, response: ServerResponse): void {
  const index = recorder.arrive();
  const header = request.headers['webhook-id'];
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    recorder.complete(
      index,
      typeof header === 'string' ? header : '',
      Buffer.concat(chunks).toString(),
    );
    response.writeHead(204).end();
  });
}

function main(): void {
  const send = (reply: SinkReply) => process.send!(reply);
  const recorder = new Recorder();
  // An ordinary node:http server: Node's defaults (keep-alive 5 s, closed when idle).
  const server = createServer((request, response) => handle(recorder, request, response));
  server.listen(0, '127.0.0.1', () => {
    send({ type: 'listening', port: (server.address() as AddressInfo).port });
  });
  process.on('message', (request: SinkRequest) => {
    if (request.type === 'count') send({ type: 'count', count: recorder.count });
    if (request.type === 'records') send({ type: 'records', records: recorder.records() });
    if (request.type === 'reset') {
      recorder.reset();
      send({ type: 'reset' });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

main();
