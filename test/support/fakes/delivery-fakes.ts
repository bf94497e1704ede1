import { NotificationChannel } from '../../../src/channels/notification-channel.js';
import { DeliveryItem } from '../../../src/delivery/delivery.queue.js';
import { Clock } from '../../../src/common/clock.js';
import { DeliveryError } from '../../../src/domain/delivery-error.js';
import { Notification } from '../../../src/domain/notification.js';
import { DueOccurrence } from '../../../src/domain/occurrence.js';
import {
  DeadLetterPage,
  DeadLetterStore,
  deadLetterMember,
  decodeDeadLetterCursor,
  encodeDeadLetterCursor,
} from '../../../src/store/dead-letter.store.js';
import { DeadLetter, DeliveryRecord } from '../../../src/store/delivery-record.js';
import { Policy } from '../../../src/domain/policy.js';
import { HeldOccurrence, HeldStore } from '../../../src/store/held.store.js';
import { PolicyStore } from '../../../src/store/policy.store.js';
import { UserDataStore } from '../../../src/store/user-data.store.js';
import { SubscriptionStore } from '../../../src/store/subscription.store.js';
import {
  DeliveryIntake,
  DeliveryIntakeClaim,
  DeliveryIntakeStore,
} from '../../../src/store/delivery-intake.store.js';
import {
  AcquireOutcome,
  DeliveryClaim,
  DeliveryLogFilter,
  DeliveryStore,
} from '../../../src/store/delivery.store.js';

/** Policies by user, as the PolicyStore keeps them. */
export class InMemoryPolicyStore extends PolicyStore {
  readonly policies = new Map<string, Policy>();

  async find(userId: string) {
    return this.policies.get(userId) ?? null;
  }

  async findMany(userIds: readonly string[]) {
    return userIds.map((userId) => this.policies.get(userId) ?? null);
  }

  async save(userId: string, policy: Policy) {
    this.policies.set(userId, policy);
  }

  async delete(userId: string) {
    return this.policies.delete(userId);
  }
}

/** Held occurrences by id. */
export class InMemoryHeldStore extends HeldStore {
  readonly held = new Map<string, HeldOccurrence>();

  async add(held: readonly HeldOccurrence[]) {
    for (const one of held) this.held.set(one.occurrenceId, one);
  }

  async release(occurrenceIds: readonly string[]) {
    for (const id of occurrenceIds) this.held.delete(id);
  }

  async list(userId: string) {
    return [...this.held.values()].filter(({ occurrenceId }) =>
      occurrenceId.startsWith(`${userId}|`),
    );
  }
}

/** Users erased, and nothing else: the erase itself is the Redis adapter's (test/users). */
export class InMemoryUserDataStore extends UserDataStore {
  readonly erased = new Set<string>();

  async erase(userId: string) {
    this.erased.add(userId);
    return { keys: 0, deliveryLogEntries: 0, deadLetters: 0 };
  }

  async wereErased(userIds: readonly string[]) {
    return userIds.map((userId) => this.erased.has(userId));
  }
}

/** Per-occurrence holders (a job id, or the status it ended with) and the log. */
export class InMemoryDeliveryStore extends DeliveryStore {
  readonly holders = new Map<string, string>();
  readonly log: DeliveryRecord[] = [];
  private readonly unreadable = new Set<string>();
  private acquireFailures = 0;
  private recordFailures = 0;

  /** Redis cannot read this occurrence's state key: `acquire` answers 'unreadable'. */
  spoil(occurrenceId: string): void {
    this.unreadable.add(occurrenceId);
  }

  /** The next `times` calls of `acquire` throw, as when Redis is unreachable. */
  failAcquire(times = 1): void {
    this.acquireFailures = times;
  }

  /** The next `times` calls of `record` throw and log nothing. */
  failRecords(times = 1): void {
    this.recordFailures = times;
  }

  async forget(occurrenceIds: readonly string[]) {
    for (const id of occurrenceIds) this.holders.delete(id);
  }

  async acquire(claims: readonly DeliveryClaim[], owner: string) {
    if (this.acquireFailures > 0) {
      this.acquireFailures--;
      throw new Error('Connection is closed.');
    }
    return claims.map(({ occurrenceId, takeOverFrom, scheduledFor }): AcquireOutcome => {
      if (this.unreadable.has(occurrenceId)) return 'unreadable';
      const holder = this.holders.get(occurrenceId);
      const free =
        !holder ||
        holder === owner ||
        (!!takeOverFrom && holder === takeOverFrom) ||
        holder === `superseded:${scheduledFor.getTime()}`;
      if (!free) return 'held';
      this.holders.set(occurrenceId, owner);
      return 'taken';
    });
  }

  async record(record: DeliveryRecord) {
    if (this.recordFailures > 0) {
      this.recordFailures--;
      throw new Error('READONLY You can not write against a read only replica.');
    }
    this.log.push(record);
    if (record.status !== 'retrying') this.holders.set(record.occurrenceId, record.status);
  }

  async recent({ userId, tag, status, limit }: DeliveryLogFilter) {
    return this.log
      .map((record, index) => ({ ...record, id: String(index) }))
      .filter((record) => !userId || record.userId === userId)
      .filter((record) => !tag || record.tag === tag)
      .filter((record) => !status || record.status === status)
      .reverse()
      .slice(0, limit);
  }
}

/**
 * The three stores' reads as one intake, in the Redis script's order: the states taken,
 * then each taken occurrence's subscription and its user's policy.
 */
export class InMemoryDeliveryIntakeStore extends DeliveryIntakeStore {
  constructor(
    private readonly deliveries: DeliveryStore,
    private readonly subscriptions: SubscriptionStore,
    private readonly policies: PolicyStore,
  ) {
    super();
  }

  async take(claims: readonly DeliveryIntakeClaim[], owner: string): Promise<DeliveryIntake[]> {
    const outcomes = await this.deliveries.acquire(claims, owner);
    const taken = claims.filter((_, index) => outcomes[index] === 'taken');
    const found = await this.subscriptions.findMany(taken);
    const policies = await this.policies.findMany(taken.map(({ userId }) => userId));
    let next = 0;
    return outcomes.map((outcome): DeliveryIntake => {
      if (outcome !== 'taken') return { outcome };
      const at = next++;
      return { outcome, subscription: found[at], policy: policies[at] };
    });
  }
}

/** Letters by id, paged newest first through the same index members as the Redis store. */
export class InMemoryDeadLetterStore extends DeadLetterStore {
  private readonly letters = new Map<string, DeadLetter>();

  /** Every letter, newest first. */
  all(): DeadLetter[] {
    return this.members().map(({ letter }) => letter);
  }

  async add(letter: DeadLetter) {
    this.letters.set(letter.id, letter);
  }

  async page(limit: number, cursor: string | null): Promise<DeadLetterPage> {
    const after = cursor === null ? null : decodeDeadLetterCursor(cursor);
    const older = this.members().filter(({ member }) => after === null || member < after);
    const shown = older.slice(0, limit);
    return {
      items: shown.map(({ letter }) => letter),
      nextCursor: older.length > limit ? encodeDeadLetterCursor(shown.at(-1)!.member) : null,
    };
  }

  async find(id: string) {
    return this.letters.get(id) ?? null;
  }

  async remove(letter: DeadLetter) {
    return this.letters.delete(letter.id);
  }

  async count() {
    return this.letters.size;
  }

  async countSince(instant: Date) {
    return this.all().filter((letter) => Date.parse(letter.deadAt) >= instant.getTime()).length;
  }

  private members() {
    return [...this.letters.values()]
      .map((letter) => ({ letter, member: deadLetterMember(letter) }))
      .sort((a, b) => (a.member < b.member ? 1 : a.member > b.member ? -1 : 0));
  }
}

/** A channel that records what it sends and when (by the clock), and fails when told to. */
export class FakeChannel implements NotificationChannel {
  readonly sent: { notification: Notification; at: Date }[] = [];
  private readonly failures: Error[] = [];
  private problem: string | null = null;

  constructor(
    readonly name: string,
    private readonly clock: Clock,
  ) {}

  /** Every target is refused with this problem. */
  refuseTargets(problem: string): void {
    this.problem = problem;
  }

  /** The next sends throw these errors, one each. */
  failWith(...errors: (DeliveryError | Error)[]): void {
    this.failures.push(...errors);
  }

  async validateTarget() {
    return this.problem;
  }

  async send(notification: Notification) {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.sent.push({ notification, at: this.clock.now() });
  }
}

/** The delivery queue's surface, keeping what it is given instead of adding BullMQ jobs. */
export class FakeDeliveryQueue {
  readonly handedOff: DueOccurrence[] = [];
  readonly attempts: { item: DeliveryItem; delayMs: number; id: string }[] = [];
  private failures = 0;

  /** The next `times` calls of `enqueueAttempt` throw and queue nothing. */
  failNext(times = 1): void {
    this.failures = times;
  }

  async handOff(occurrences: readonly DueOccurrence[]) {
    this.handedOff.push(...occurrences);
  }

  attemptJobId(item: DeliveryItem, idSeed = ''): string {
    return `a|${item.occurrence.occurrenceId}|${item.attempt}|${idSeed}`;
  }

  readonly held: { items: DeliveryItem[]; releaseAt: Date; heldBy: string }[] = [];

  async enqueueHeld(items: readonly DeliveryItem[], releaseAt: Date, heldBy: string) {
    this.held.push({ items: [...items], releaseAt, heldBy });
  }

  async enqueueAttempt(item: DeliveryItem, delayMs: number, id: string) {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('queue unavailable');
    }
    this.attempts.push({ item, delayMs, id });
  }
}
