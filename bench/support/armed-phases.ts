import { pollUntil } from './burst-setup.js';
import { fixed, printTable, thousands } from './report.js';
import { Scrape } from './scrape.js';

/** What the write path left in the delivery queue once every hand-off was confirmed. */
export interface HandOffs {
  /** Jobs waiting for their instant (BullMQ's delayed and waiting). */
  readonly jobs: number;
  /** Hand-off records still unconfirmed when the wait ended (0 unless it timed out). */
  readonly unconfirmed: number;
  /** From the end of seeding until all were claimed and the last hand-off confirmed. */
  readonly settledMs: number;
}

/**
 * Waits (until `deadline`) for chime to have claimed `count` occurrences (by the writes, or by
 * the tick when seeding ended ahead of the lookahead) and confirmed every hand-off; then
 * counts its jobs.
 */
export async function waitForHandOffs(
  baseUrl: string,
  adminToken: string,
  count: number,
  deadline: number,
): Promise<HandOffs> {
  const started = Date.now();
  let unconfirmed = Number.NaN;
  await pollUntil(
    async () => {
      const scrape = await Scrape.of([baseUrl]);
      if (scrape.value('chime_occurrences_claimed_total') < count) return false;
      const response = await fetch(`${baseUrl}/admin/health`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      const health = (await response.json()) as { scheduler?: { unconfirmedHandOffs?: number } };
      unconfirmed = health.scheduler?.unconfirmedHandOffs ?? Number.NaN;
      return unconfirmed === 0;
    },
    deadline,
    50,
  );
  const settledMs = Date.now() - started;
  const scrape = await Scrape.of([baseUrl]);
  const jobs =
    scrape.value('chime_queue_jobs', { state: 'delayed' }) +
    scrape.value('chime_queue_jobs', { state: 'waiting' });
  return { jobs, unconfirmed, settledMs };
}

export interface ArmedVerdict {
  readonly count: number;
  readonly handOffs: HandOffs;
  /** Redis used_memory once every hand-off was confirmed, above the empty store, per subscription. */
  readonly bytesPerSubscription: number;
  readonly goalBytes: number;
  readonly lastMs: number;
  readonly goalMs: number;
  readonly allOnce: boolean;
}

export function printHandOffs(verdict: ArmedVerdict): void {
  const { count, handOffs, bytesPerSubscription, goalBytes, lastMs, goalMs, allOnce } = verdict;
  const met = allOnce && lastMs <= goalMs && bytesPerSubscription <= goalBytes ? 'met' : 'NOT met';
  printTable(
    'Armed at write: what the writes queued',
    ['figure', 'value'],
    [
      ['delivery jobs queued (delayed + waiting)', thousands(handOffs.jobs)],
      ['occurrences per job', fixed(count / Math.max(1, handOffs.jobs), 1)],
      ['hand-offs confirmed, after the last write', `${thousands(handOffs.settledMs)} ms`],
      ['hand-off records unconfirmed at the end of that wait', String(handOffs.unconfirmed)],
      [
        'Redis bytes per subscription, all handed off (subscription, claim, job)',
        thousands(bytesPerSubscription),
      ],
      ['last arrival after the instant', `${thousands(lastMs)} ms`],
      [`goal: all once, none early, last <= ${goalMs / 1000} s, <= ${goalBytes} B each`, met],
    ],
  );
}
