import { randomBytes } from 'node:crypto';
import { ADMIN_TOKEN, API_TOKEN, ChimeProcess } from './chime-process.js';
import { request } from './http.js';
import { waitFor } from './wait-for.js';
import { occurrenceId } from '../../src/domain/occurrence.js';

export const MINUTE_MS = 60_000;

/** A Standard Webhooks secret: `whsec_` and base64 of 24 random bytes. */
export function webhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** A user id no other test uses, so its deliveries can be filtered out of the shared log. */
export function uniqueUser(name: string): string {
  return `${name}-${randomBytes(4).toString('hex')}`;
}

export function floorToMinute(instant: number): number {
  return Math.floor(instant / MINUTE_MS) * MINUTE_MS;
}

/** "HH:MM" of an instant in UTC. */
export function utcHHMM(instant: number): string {
  return new Date(instant).toISOString().slice(11, 16);
}

/** SPEC 4's occurrence id of a UTC subscription due at `instant`. */
export function occurrenceIdAt(userId: string, tag: string, instant: number): string {
  return occurrenceId({ userId, tag }, new Date(instant).toISOString().slice(0, 10));
}

export interface DueSubscription {
  readonly userId: string;
  readonly tag: string;
  /** The occurrence's instant (ms). */
  readonly instant: number;
  readonly occurrenceId: string;
}

/** PUTs a UTC subscription for `instant` (a minute boundary) and checks it was accepted. */
export async function subscribeAt(
  chime: ChimeProcess,
  userId: string,
  tag: string,
  instant: number,
  fields: Record<string, unknown>,
): Promise<DueSubscription> {
  const answer = await request(chime.baseUrl, 'PUT', `/subscriptions/${userId}/${tag}`, {
    token: API_TOKEN,
    body: { time: utcHHMM(instant), timezone: 'UTC', ...fields },
  });
  if (answer.status !== 201 && answer.status !== 200) {
    throw new Error(
      `PUT ${userId}/${tag} answered ${answer.status}: ${JSON.stringify(answer.body)}`,
    );
  }
  return { userId, tag, instant, occurrenceId: occurrenceIdAt(userId, tag, instant) };
}

/**
 * A subscription due at the current UTC minute, which has begun already: no tick sends it
 * (it was set after its instant), so it goes out when `replayMinute` claims it, late.
 */
export function subscribeDueNow(
  chime: ChimeProcess,
  userId: string,
  tag: string,
  fields: Record<string, unknown>,
): Promise<DueSubscription> {
  return subscribeAt(chime, userId, tag, floorToMinute(Date.now()), fields);
}

/** `POST /admin/ticks` over the minute that begins at `instant`. */
export async function replayMinute(chime: ChimeProcess, instant: number) {
  const answer = await request(chime.baseUrl, 'POST', '/admin/ticks', {
    token: ADMIN_TOKEN,
    body: {
      from: new Date(instant).toISOString(),
      to: new Date(instant + MINUTE_MS).toISOString(),
    },
  });
  if (answer.status !== 200) throw new Error(`POST /admin/ticks answered ${answer.status}`);
  return answer.body as { due: number; enqueued: number; duplicates: number; skipped: number };
}

/** `GET /admin/deliveries` with the given filters, newest first. */
export async function deliveries(
  chime: ChimeProcess,
  filter: Record<string, string>,
): Promise<any[]> {
  const query = new URLSearchParams({ limit: '500', ...filter }).toString();
  const answer = await request(chime.baseUrl, 'GET', `/admin/deliveries?${query}`, {
    token: ADMIN_TOKEN,
  });
  if (answer.status !== 200) throw new Error(`GET /admin/deliveries answered ${answer.status}`);
  return answer.body.items;
}

/** Waits until the delivery log has a record for `userId` that `accept` takes; returns the log. */
export async function waitForRecord(
  chime: ChimeProcess,
  userId: string,
  accept: (record: any) => boolean,
  timeoutMs = 15_000,
): Promise<any[]> {
  let records: any[] = [];
  await waitFor(
    async () => (records = await deliveries(chime, { userId })).some(accept),
    timeoutMs,
    () => `a matching delivery record for ${userId}; log: ${JSON.stringify(records)}`,
  );
  return records;
}

export async function deadLetters(chime: ChimeProcess): Promise<any[]> {
  const answer = await request(chime.baseUrl, 'GET', '/admin/dead-letters', {
    token: ADMIN_TOKEN,
  });
  if (answer.status !== 200) throw new Error(`GET /admin/dead-letters answered ${answer.status}`);
  return answer.body.items;
}

/** Waits for the dead letter of `occurrenceId` and returns it. */
export async function waitForDeadLetter(
  chime: ChimeProcess,
  occurrenceId: string,
  timeoutMs = 15_000,
): Promise<any> {
  let letter: any;
  await waitFor(
    async () =>
      (letter = (await deadLetters(chime)).find((item) => item.occurrenceId === occurrenceId)) !==
      undefined,
    timeoutMs,
    () => `a dead letter for ${occurrenceId}`,
  );
  return letter;
}

/** Waits until the running chime has ticked once, so that its scanned horizon is set. */
export async function waitForFirstTick(chime: ChimeProcess, timeoutMs = 15_000): Promise<void> {
  await waitFor(
    async () => {
      const answer = await request(chime.baseUrl, 'GET', '/admin/health', { token: ADMIN_TOKEN });
      return answer.body?.scheduler?.lastTickAt != null;
    },
    timeoutMs,
    () => 'the first scheduler tick',
  );
}
