import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './wait-for.js';

/** One request the sink received, as it arrived. */
export interface ReceivedWebhook {
  /** `Date.now()` when the request's headers arrived. */
  readonly receivedAt: number;
  /** The sender's port: requests on one kept-alive connection share it. */
  readonly remotePort: number | undefined;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly rawBody: string;
  readonly body: any;
}

/** How the sink answers one request: a status and an optional body, after an optional delay. */
export interface SinkAnswer {
  readonly status: number;
  readonly delayMs?: number;
  readonly body?: string;
}

/**
 * A local webhook receiver on 127.0.0.1 that records every request. Answers are scripted per
 * path: a sequence used one per request (the last one repeats), or 200 when none is set.
 */
export class WebhookSink {
  private readonly received: ReceivedWebhook[] = [];
  private readonly scripts = new Map<string, SinkAnswer[]>();
  private readonly answered = new Map<string, number>();
  private defaultAnswer: SinkAnswer = { status: 200 };

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<WebhookSink> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const sink = new WebhookSink(server, (server.address() as AddressInfo).port);
    server.on('request', (request, response) => sink.handle(request, response));
    return sink;
  }

  /** The URL of `path` on this sink. */
  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Answers requests to `path` with `answers` in turn; the last one repeats. */
  script(path: string, answers: SinkAnswer[]): void {
    this.scripts.set(path, answers);
    this.answered.set(path, 0);
  }

  /** What paths without a script are answered. */
  answerByDefault(answer: SinkAnswer): void {
    this.defaultAnswer = answer;
  }

  /** Requests received so far, oldest first; only those to `path` when given. */
  requests(path?: string): ReceivedWebhook[] {
    return this.received.filter((request) => path === undefined || request.path === path);
  }

  /** Waits until `path` (or the whole sink) has received at least `count` requests. */
  async waitForRequests(count: number, path?: string, timeoutMs = 15_000) {
    await waitFor(
      () => this.requests(path).length >= count,
      timeoutMs,
      () => {
        return `${this.requests(path).length} of ${count} requests to ${path ?? 'the sink'}`;
      },
    );
    return this.requests(path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const receivedAt = Date.now();
    const path = new URL(request.url ?? '/', 'http://sink').pathname;
    const answer = this.nextAnswer(path);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      this.received.push({
        receivedAt,
        remotePort: request.socket.remotePort,
        method: request.method ?? '',
        path,
        headers: flatHeaders(request.headers),
        rawBody,
        body: parseJson(rawBody),
      });
      const answerNow = () => response.writeHead(answer.status).end(answer.body);
      const timer = setTimeout(answerNow, answer.delayMs ?? 0);
      response.on('close', () => clearTimeout(timer));
    });
  }

  private nextAnswer(path: string): SinkAnswer {
    const script = this.scripts.get(path);
    if (!script) return this.defaultAnswer;
    const index = this.answered.get(path)!;
    this.answered.set(path, index + 1);
    return script[Math.min(index, script.length - 1)];
  }
}

function flatHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
