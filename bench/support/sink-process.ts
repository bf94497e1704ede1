import { ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopProcess } from '../../test/support/redis-server.js';
import type { SinkRecords, SinkReply, SinkRequest } from './burst-sink.js';

const SINK_SCRIPT = fileURLToPath(new URL('./burst-sink.js', import.meta.url));

/** The burst sink (burst-sink.ts) in a process of its own, driven over IPC. */
export class SinkProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(): Promise<SinkProcess> {
    // Structured clone carries the typed arrays of the records as they are.
    const child = fork(SINK_SCRIPT, [], { serialization: 'advanced', stdio: 'inherit' });
    const listening = await nextReply(child, 'listening');
    return new SinkProcess(child, listening.port);
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async count(): Promise<number> {
    return (await this.ask({ type: 'count' }, 'count')).count;
  }

  async records(): Promise<SinkRecords> {
    return (await this.ask({ type: 'records' }, 'records')).records;
  }

  async reset(): Promise<void> {
    await this.ask({ type: 'reset' }, 'reset');
  }

  stop(): Promise<void> {
    return stopProcess(this.child);
  }

  private ask<T extends SinkReply['type']>(request: SinkRequest, type: T) {
    const reply = nextReply(this.child, type);
    this.child.send(request);
    return reply;
  }
}

function nextReply<T extends SinkReply['type']>(
  child: ChildProcess,
  type: T,
): Promise<Extract<SinkReply, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: SinkReply) => {
      if (reply.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(reply as Extract<SinkReply, { type: T }>);
    };
    const onExit = (code: number | null) => {
      child.off('message', onMessage);
      reject(new Error(`the sink process exited with ${code}`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
