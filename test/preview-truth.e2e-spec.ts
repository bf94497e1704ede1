import { DeliveryStore } from '../src/store/delivery.store.js';
import { PolicyService } from '../src/subscriptions/policy.service.js';
import { InvalidPolicyError } from '../src/subscriptions/policy.errors.js';
import { OccurrencesService } from '../src/subscriptions/occurrences.service.js';
import { SubscriptionsService } from '../src/subscriptions/subscriptions.service.js';
import { PutSubscriptionDto } from '../src/subscriptions/dto/put-subscription.dto.js';
import { PreviewItem } from '../src/subscriptions/dto/occurrence.response.js';
import { zoneClock } from '../src/domain/zone-clock.js';
import { testRedisUrl, uniquePrefix } from './support/chime-process.js';
import { DeliverySimulation, startDeliverySimulation } from './support/delivery-simulation.js';
import { FakeClock } from './support/fake-clock.js';
import { randomWorld, SubscriptionSpec, World } from './support/random-world.js';

const DAY_MS = 86_400_000;
const CHANNEL = 'recorder';
/** Enough occurrences to reach past the fortnight and its tail. */
const PREVIEW_COUNT = 24;
const USERS = Number(process.env.PREVIEW_TRUTH_USERS ?? 150);

/** What one previewed occurrence came to: its sends (the channel's clock) and its statuses. */
interface Actual {
  readonly sends: { at: string; scheduledFor: string; late: boolean }[];
  readonly statuses: string[];
  readonly history: string | undefined;
}

async function writeWorld(chime: DeliverySimulation, world: World): Promise<void> {
  const subscriptions = chime.app.get(SubscriptionsService);
  const policies = chime.app.get(PolicyService);
  for (const { userId, tag, body } of world.subscriptions) {
    await subscriptions.put({ userId, tag }, body as PutSubscriptionDto);
  }
  for (const [userId, policy] of world.policies) {
    try {
      await policies.put(userId, policy);
    } catch (error) {
      // Quiet all week long cannot hold (SPEC 7): such a user drops instead.
      if (!(error instanceof InvalidPolicyError)) throw error;
      await policies.put(userId, { ...policy, onQuiet: 'drop' });
    }
  }
}

async function previews(chime: DeliverySimulation, world: World) {
  const occurrences = chime.app.get(OccurrencesService);
  const all = new Map<string, { spec: SubscriptionSpec; item: PreviewItem }>();
  for (const spec of world.subscriptions) {
    for (const item of await occurrences.preview(spec, PREVIEW_COUNT)) {
      all.set(item.occurrenceId, { spec, item });
    }
  }
  return all;
}

async function actuals(chime: DeliverySimulation, world: World): Promise<Map<string, Actual>> {
  const found = new Map<string, Actual>();
  const of = (occurrenceId: string) =>
    found.get(occurrenceId) ??
    found.set(occurrenceId, { sends: [], statuses: [], history: undefined }).get(occurrenceId)!;
  for (const { notification, at } of chime.channel.sent) {
    of(notification.occurrenceId).sends.push({
      at: at.toISOString(),
      scheduledFor: notification.scheduledFor.toISOString(),
      late: notification.late,
    });
  }
  const log = await chime.app.get(DeliveryStore).recent({ limit: 1_000_000 });
  for (const record of log.reverse()) of(record.occurrenceId).statuses.push(record.status);
  const occurrences = chime.app.get(OccurrencesService);
  for (const spec of world.subscriptions) {
    for (const entry of await occurrences.recent(spec, 100)) {
      (of(entry.occurrenceId) as { history: string | undefined }).history = entry.status;
    }
  }
  return found;
}

const ENDS: Record<string, string> = { send: 'delivered', hold: 'delivered', skip: 'skipped' };

/** What the preview promised about one occurrence and what chime did, when they differ. */
function mismatchOf(item: PreviewItem, actual: Actual | undefined): string | null {
  const sends = actual?.sends ?? [];
  const statuses = actual?.statuses ?? [];
  const expectedEnd =
    ENDS[item.outcome] ?? (item.reasons.includes('expires') ? 'expired' : 'dropped');
  const problems: string[] = [];
  if (item.sendAt === null && sends.length > 0) problems.push('sent, though not to leave');
  if (item.sendAt !== null) {
    const late = Date.parse(item.sendAt) - Date.parse(item.scheduledFor) > 2000;
    const expected = { at: item.sendAt, scheduledFor: item.scheduledFor, late };
    if (JSON.stringify(sends) !== JSON.stringify([expected])) problems.push('sends differ');
  }
  if (actual?.history !== expectedEnd) problems.push(`history ${actual?.history}`);
  if (statuses.at(-1) !== expectedEnd) problems.push(`log ends ${statuses.at(-1)}`);
  if ((item.outcome === 'hold') !== statuses.includes('held')) problems.push('held or not');
  if (problems.length === 0) return null;
  return `${problems.join(', ')}: preview ${JSON.stringify(item)}, actual ${JSON.stringify(actual)}`;
}

/** The same occurrence id is one local date: at most one send each, on that local date. */
function datesOf(spec: SubscriptionSpec, sends: Actual['sends']): string[] {
  const clock = zoneClock(spec.body.timezone);
  return sends.map((send) => clock.localDateOf(Date.parse(send.scheduledFor)));
}

/** What one fortnight came to: the world, the tallies of what was compared, and every mismatch. */
interface FortnightRun {
  readonly start: string;
  readonly subscriptions: number;
  readonly policies: number;
  readonly outcomes: Record<string, number>;
  readonly reasons: Record<string, number>;
  readonly mismatches: string[];
  readonly ticks: number;
  readonly jobs: number;
}

async function startFortnight(startIso: string) {
  const start = new Date(startIso);
  const clock = new FakeClock(new Date(start.getTime() - 2 * DAY_MS));
  return startDeliverySimulation({
    redisUrl: testRedisUrl(),
    keyPrefix: uniquePrefix('truth'),
    clock,
    channelName: CHANNEL,
    // One bucket: a tick costs a few round trips, and a fortnight is 20,160 of them.
    env: { REDIS_BUCKETS: '1' },
  });
}

/**
 * Writes a random world two days before `start` (armedAt well before), takes every
 * subscription's preview at `start`, runs chime minute by minute for a fortnight and then
 * lets what it queued leave, and compares.
 */
async function runFortnight(
  chime: DeliverySimulation,
  startIso: string,
  seed: number,
): Promise<FortnightRun> {
  const start = new Date(startIso);
  const end = new Date(start.getTime() + 14 * DAY_MS);
  const world = randomWorld(start, CHANNEL, USERS, seed);
  await writeWorld(chime, world);
  chime.clock.set(start);
  const promised = await previews(chime, world);
  await chime.runUntil(end);
  await chime.drain();
  const done = await actuals(chime, world);
  const mismatches: string[] = [];
  const outcomes: Record<string, number> = {};
  const reasons: Record<string, number> = {};
  const tally = (counts: Record<string, number>, key: string) =>
    (counts[key] = (counts[key] ?? 0) + 1);
  for (const [occurrenceId, { spec, item }] of promised) {
    if (Date.parse(item.scheduledFor) >= end.getTime()) continue;
    tally(outcomes, item.outcome);
    item.reasons.forEach((reason) => tally(reasons, reason));
    const mismatch = mismatchOf(item, done.get(occurrenceId));
    if (mismatch) mismatches.push(`${JSON.stringify(spec)} ${mismatch}`);
  }
  for (const [occurrenceId, actual] of done) {
    const promise = promised.get(occurrenceId);
    if (actual.sends.length > 0 && !promise) {
      mismatches.push(`${occurrenceId} sent, never previewed: ${JSON.stringify(actual)}`);
    }
    if (!promise || actual.sends.length === 0) continue;
    const date = occurrenceId.slice(occurrenceId.lastIndexOf('|') + 1);
    if (datesOf(promise.spec, actual.sends).some((sentOn) => sentOn !== date)) {
      mismatches.push(`${occurrenceId} sent on another local date: ${JSON.stringify(actual)}`);
    }
  }
  return {
    start: startIso,
    subscriptions: world.subscriptions.length,
    policies: world.policies.size,
    outcomes,
    reasons,
    mismatches,
    ticks: chime.ticks(),
    jobs: chime.queue.jobsRun,
  };
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((total, count) => total + count, 0);
}

/** Europe and the US fall back (Oct 25, Nov 1); Europe springs forward, Lord Howe and Santiago fall back (Mar 29, Apr 5). */
const FORTNIGHTS = [
  ['2026-10-20T00:00:00Z', 20261020],
  ['2026-03-23T00:00:00Z', 20260323],
] as const;

const simulations: DeliverySimulation[] = [];

afterAll(async () => {
  await Promise.all(simulations.map((simulation) => simulation.close()));
});

it('sends exactly what the preview said, when it said, over two fortnights of DST changes', async () => {
  for (const [start] of FORTNIGHTS) simulations.push(await startFortnight(start));
  const began = Date.now();
  // The two fortnights run side by side: each waits on Redis while the other computes.
  const runs = await Promise.all(
    FORTNIGHTS.map(([start, seed], index) => runFortnight(simulations[index], start, seed)),
  );
  for (const run of runs) {
    const summary = { ...run, mismatches: run.mismatches.length, compared: sum(run.outcomes) };
    console.log(JSON.stringify(summary));
  }
  console.log(`simulated both fortnights in ${Date.now() - began} ms`);
  for (const run of runs) {
    expect(run.mismatches.slice(0, 10)).toEqual([]);
    expect(sum(run.outcomes)).toBeGreaterThan(run.subscriptions * 5);
  }
}, 300_000);
