/*
 * The sending side of bench/bullmq-schedulers.ts, in a process of its own as chime is: a
 * BullMQ Worker whose every job is one webhook, signed as chime signs (standardwebhooks)
 * and shaped as chime's body, POSTed with Node's fetch to the burst sink. Configured by the
 * environment the bench sets; says `ready` over IPC once its worker is, and stops when the
 * bench disconnects.
 */
import { Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';

export interface SenderJob {
  userId: string;
  tag: string;
}

const SECRET = `whsec_${Buffer.from('bench-bullmq-signing-secret-0123').toString('base64')}`;

/** A job scheduler's job id is `repeat:<scheduler id>:<epoch ms of its occurrence>`. */
function scheduledForOf(job: Job): Date {
  const id = job.id ?? '';
  return new Date(Number(id.slice(id.lastIndexOf(':') + 1)));
}

function sender(sinkUrl: string, signer: Webhook) {
  return async (job: Job<SenderJob>): Promise<void> => {
    const scheduledFor = scheduledForOf(job);
    const { userId, tag } = job.data;
    const occurrenceId = `${userId}|${tag}|${scheduledFor.toISOString().slice(0, 10)}`;
    const body = JSON.stringify({
      type: 'subscription.notification',
      occurrenceId,
      userId,
      tag,
      scheduledFor: scheduledFor.toISOString(),
      late: Date.now() - scheduledFor.getTime() > 2_000,
      title: tag,
      message: 'bench',
      data: {},
    });
    const now = new Date();
    const response = await fetch(sinkUrl, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': occurrenceId,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signer.sign(occurrenceId, now, body),
      },
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`the receiver answered ${response.status}`);
  };
}

async function main(): Promise<void> {
  const { BENCH_REDIS_URL, BENCH_QUEUE, BENCH_PREFIX, BENCH_SINK_URL } = process.env;
  const connection = new Redis(BENCH_REDIS_URL!, { maxRetriesPerRequest: null });
  const worker = new Worker<SenderJob>(BENCH_QUEUE!, sender(BENCH_SINK_URL!, new Webhook(SECRET)), {
    connection,
    prefix: BENCH_PREFIX,
    concurrency: Number(process.env.BENCH_CONCURRENCY),
    removeOnComplete: { count: 1000 },
  });
  await worker.waitUntilReady();
  process.send!({ type: 'ready' });
  process.on('disconnect', () => {
    void worker.close().finally(() => process.exit(0));
  });
}

void main();
