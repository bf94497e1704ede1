import { createSocket, Socket as UdpSocket } from 'node:dgram';
import { createServer, Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * How a slow receiver answers, one byte (or one line) a second, forever:
 * - `status-line`: `HTTP/1.1 200 OK` ... a byte at a time, never reaching the headers' end;
 * - `informational`: a `102 Processing` answer every second, never a final status;
 * - `body`: `status` and its headers at once, then the body a byte at a time.
 */
export type Trickle =
  | { readonly kind: 'status-line' }
  | { readonly kind: 'informational' }
  | { readonly kind: 'body'; readonly status: number };

const TRICKLE_INTERVAL_MS = 1_000;

/** A raw TCP receiver on 127.0.0.1 that reads a request and answers it as slowly as `trickle`. */
export class SlowReceiver {
  /** `Date.now()` when each request's head arrived, oldest first. */
  readonly requestsAt: number[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(trickle: Trickle): Promise<SlowReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new SlowReceiver(server, (server.address() as AddressInfo).port);
    server.on('connection', (socket) => receiver.serve(socket, trickle));
    return receiver;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private serve(socket: Socket, trickle: Trickle): void {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    let head = '';
    let timer: NodeJS.Timeout | undefined;
    socket.on('close', () => {
      clearInterval(timer);
      this.sockets.delete(socket);
    });
    socket.on('data', (chunk: Buffer) => {
      if (timer) return;
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      this.requestsAt.push(Date.now());
      const chunks = trickleChunks(trickle);
      timer = setInterval(() => socket.write(chunks.next().value as string), TRICKLE_INTERVAL_MS);
      socket.write(chunks.next().value as string);
    });
  }
}

function* trickleChunks(trickle: Trickle): Generator<string> {
  if (trickle.kind === 'informational') for (;;) yield 'HTTP/1.1 102 Processing\r\n\r\n';
  if (trickle.kind === 'status-line') {
    for (const byte of 'HTTP/1.1 200 OK\r\nX-Slow: ') yield byte;
    for (;;) yield 'a';
  }
  yield `HTTP/1.1 ${trickle.status} Whatever\r\ncontent-length: 100000\r\n\r\n`;
  for (;;) yield 'x';
}

/** A DNS server on 127.0.0.1 that reads every query and never answers. */
export class SilentDnsServer {
  /** How many queries arrived. */
  queries = 0;

  private constructor(
    private readonly socket: UdpSocket,
    readonly port: number,
  ) {}

  static async start(): Promise<SilentDnsServer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const server = new SilentDnsServer(socket, socket.address().port);
    socket.on('message', () => (server.queries += 1));
    return server;
  }

  /** The DNS_SERVERS value that points at it. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
