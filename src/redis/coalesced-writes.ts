import type { Cluster, Redis } from 'ioredis';

/**
 * One socket write for the commands of one turn of the event loop, instead of one each
 * (a PUT sends four; one write cost about 14 us of CPU in bench:api's profile). Unlike
 * ioredis' automatic pipelining, nothing is queued outside the socket: each command goes to
 * ioredis' queue and the socket's buffer as before, only the write waits for the turn's end
 * (the socket is corked for it). See bench/README.md, "The subscribe API".
 */
export function coalesceWrites<Client extends Redis>(client: Client): Client {
  // A reconnect makes a new socket; 'connect' comes before the first command is written.
  client.on('connect', () => corkPerTurn(client.stream));
  return client;
}

/** The same for each node's connection of a cluster. */
export function coalesceNodeWrites(cluster: Cluster): Cluster {
  cluster.on('+node', (node: Redis) => coalesceWrites(node));
  return cluster;
}

interface Corkable {
  write: (...args: never[]) => boolean;
  cork(): void;
  uncork(): void;
}

function corkPerTurn(socket: Corkable): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(uncork);
    }
    return write(...args);
  }) as Corkable['write'];
}
