import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { coalesceWrites } from './coalesced-writes.js';

/** A socket that records what reaches the wire: one entry per flush of its buffer. */
class FakeSocket {
  readonly flushed: string[][] = [];
  private corks = 0;
  private buffered: string[] = [];

  write(chunk: string): boolean {
    this.buffered.push(chunk);
    if (this.corks === 0) this.flush();
    return true;
  }

  cork(): void {
    this.corks++;
  }

  uncork(): void {
    if (this.corks > 0 && --this.corks === 0) this.flush();
  }

  private flush(): void {
    if (this.buffered.length > 0) this.flushed.push(this.buffered);
    this.buffered = [];
  }
}

function connectedClient(): { client: EventEmitter & { stream: FakeSocket }; socket: FakeSocket } {
  const socket = new FakeSocket();
  const client = Object.assign(new EventEmitter(), { stream: socket });
  coalesceWrites(client as unknown as Redis);
  client.emit('connect');
  return { client, socket };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('coalesceWrites', () => {
  it('writes the commands of one turn of the event loop together, in their order', async () => {
    const { socket } = connectedClient();
    socket.write('a');
    await Promise.resolve();
    socket.write('b');
    expect(socket.flushed).toEqual([]);
    await turn();
    socket.write('c');
    await turn();
    expect(socket.flushed).toEqual([['a', 'b'], ['c']]);
  });

  it('coalesces on the socket of each new connection', async () => {
    const { client, socket } = connectedClient();
    const next = new FakeSocket();
    client.stream = next;
    client.emit('connect');
    next.write('x');
    next.write('y');
    await turn();
    expect(next.flushed).toEqual([['x', 'y']]);
    expect(socket.flushed).toEqual([]);
  });
});
