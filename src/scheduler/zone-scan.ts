import { fromScore, instantOf, Weekday, weekdayOf } from '../domain/local-time.js';
import { dueOccurrence } from '../domain/occurrence.js';
import { LocalRange, localRanges, splitRange } from '../domain/window.js';
import { Clock } from '../common/clock.js';
import { ClaimCandidate } from '../store/claim.store.js';
import { ScheduledMember, ScoreRange, SubscriptionStore } from '../store/subscription.store.js';

/**
 * A scan reads its window in steps of about this many members, counted first (ZCOUNT), and
 * claims what a step found while it reads the next: what it holds at once does not grow with
 * the window (a day's catch-up count after an outage reads 24 hours of every zone). A tick
 * scans a few buckets at once (scheduler.service.ts), each holding two steps at most. Only
 * one minute of one zone that alone holds more is read whole, as one step.
 */
const STEP_MEMBERS = 2_500;
/** Ranges are counted an hour of one zone's local times at a time, then minute by minute. */
const MINUTES_PER_RANGE = 60;
const COUNTS_PER_ROUND_TRIP = 1000;
/**
 * A scan first reads, uncounted, the ranges that hold at most this many members (a tick's
 * new minute of a zone in a bucket: about 2 at 1M subscriptions, 20 at 10M); a larger one
 * costs this many members read for nothing before it is counted. Not below the floor:
 * a window of many ranges (catch-up, replay) is counted from the start.
 */
const SMALL_RANGE_MEMBERS = 100;
const SMALL_RANGE_MIN_LIMIT = 10;
/** Zone windows whose ranges are kept: a tick's zones, a few times over. */
const ZONE_RANGES_KEPT = 5000;
/** Local times whose instants are kept: a tick's zones and minutes, many times over. */
const INSTANTS_KEPT = 20_000;
/**
 * A part's member is claimed without its subscription being read (`vouched`) only for an
 * instant at least this far ahead: later than any armedAt, the time of a write by its
 * replica's clock, even one some seconds off. A tick's new minute is LOOKAHEAD_MINUTES - 1
 * ahead or more; a nearer instant (a catch-up, a short lookahead) is claimed as before.
 */
const VOUCHED_AHEAD_MS = 60_000;

type ZoneRange = LocalRange & ScoreRange;

/**
 * Finds the occurrences of a window in the zone ZSETs, bucket by bucket, in steps of bounded
 * size: the dispatcher claims one step while the next is read.
 */
export class ZoneScan {
  private readonly rangesByZone = new BoundedMemo<LocalRange[]>(ZONE_RANGES_KEPT);
  /** Every bucket of a tick holds the same zones' same minutes: their instants are kept. */
  private readonly instants = new BoundedMemo<Date>(INSTANTS_KEPT);
  private readonly weekdays = new BoundedMemo<Weekday>(INSTANTS_KEPT);

  constructor(
    private readonly subscriptions: SubscriptionStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Every occurrence in [from, to) of the subscriptions in the ZSETs, a step at a time; the
   * next step is read while the caller claims the current one.
   */
  async *candidatesIn(
    from: Date,
    to: Date,
    buckets?: readonly number[],
  ): AsyncGenerator<ClaimCandidate[]> {
    const zones = (await this.subscriptions.scheduleZones(buckets)).filter(
      ({ bucket }) => !buckets || buckets.includes(bucket),
    );
    const rangesOf = (timezone: string) => this.zoneRanges(timezone, from, to);
    // Bucket by bucket (scheduleZones' order), so that claim batches mostly hold one bucket.
    const hours = zones.flatMap((zone) =>
      rangesOf(zone.timezone)
        .filter(
          ({ localDate }) => !zone.weekdays || zone.weekdays.includes(this.weekdayOf(localDate)),
        )
        .map((range) => ({ ...zone, ...range })),
    );
    const { found, unread } = await this.readSmallRanges(hours);
    let next: Promise<ClaimCandidate[]> | null = found.length > 0 ? Promise.resolve(found) : null;
    for await (const step of this.steps(unread)) {
      const reading = this.candidatesOf(step);
      // Awaited below; this only keeps a failure while the caller works from going unhandled.
      reading.catch(() => undefined);
      if (next) yield await next;
      next = reading;
    }
    if (next) yield await next;
  }

  /**
   * A zone's local ranges of a window, an hour at most each; a tick asks once per bucket for
   * the same window, so the answers are kept (a bounded number of them).
   */
  private zoneRanges(timezone: string, from: Date, to: Date): LocalRange[] {
    return this.rangesByZone.get(`${timezone}|${from.getTime()}|${to.getTime()}`, () =>
      localRanges(timezone, from, to).flatMap((range) => splitRange(range, MINUTES_PER_RANGE)),
    );
  }

  /** The ranges that hold members, packed into steps of about STEP_MEMBERS members. */
  private async *steps(ranges: readonly ZoneRange[]): AsyncGenerator<ZoneRange[]> {
    let step: ZoneRange[] = [];
    let size = 0;
    for await (const [range, count] of this.countedFinely(ranges)) {
      if (size > 0 && size + count > STEP_MEMBERS) {
        yield step;
        step = [];
        size = 0;
      }
      step.push(range);
      size += count;
    }
    if (step.length > 0) yield step;
  }

  /** Each non-empty range with its count; one holding more than a step, minute by minute. */
  private async *countedFinely(ranges: readonly ZoneRange[]): AsyncGenerator<[ZoneRange, number]> {
    for (let start = 0; start < ranges.length; start += COUNTS_PER_ROUND_TRIP) {
      const chunk = ranges.slice(start, start + COUNTS_PER_ROUND_TRIP);
      const counts = await this.subscriptions.countInRanges(chunk);
      for (const [index, range] of chunk.entries()) {
        if (counts[index] === 0) continue;
        if (counts[index] <= STEP_MEMBERS || range.fromScore === range.toScore) {
          yield [range, counts[index]];
          continue;
        }
        const minutes = splitRange(range, 1);
        const perMinute = await this.subscriptions.countInRanges(minutes);
        for (const [minute, minuteRange] of minutes.entries()) {
          if (perMinute[minute] > 0) yield [minuteRange, perMinute[minute]];
        }
      }
    }
  }

  /**
   * A tick's ranges, each a zone's new minute or few in one bucket, mostly hold a few
   * members: they are read at once, a round trip for them all, and only the ones that hold
   * more than a few (a burst) are counted and read in steps. Each range reads at most
   * `limit + 1` members a score, so what this holds stays within a few steps.
   */
  private async readSmallRanges(
    ranges: readonly ZoneRange[],
  ): Promise<{ found: ClaimCandidate[]; unread: ZoneRange[] }> {
    const limit = Math.min(SMALL_RANGE_MEMBERS, Math.floor(STEP_MEMBERS / ranges.length));
    if (ranges.length === 0 || limit < SMALL_RANGE_MIN_LIMIT) {
      return { found: [], unread: [...ranges] };
    }
    const members = await this.subscriptions.membersUpTo(ranges, limit);
    const found = this.candidatesAmong(
      ranges.filter((_, index) => members[index] !== null),
      members.filter((range) => range !== null),
    );
    return { found, unread: ranges.filter((_, index) => members[index] === null) };
  }

  private async candidatesOf(ranges: readonly ZoneRange[]): Promise<ClaimCandidate[]> {
    return this.candidatesAmong(ranges, await this.subscriptions.membersInRanges(ranges));
  }

  private weekdayOf(localDate: string): Weekday {
    return this.weekdays.get(localDate, () => weekdayOf(localDate));
  }

  /** Each range's members as claim candidates, the instants of their local times kept. */
  private candidatesAmong(
    ranges: readonly ZoneRange[],
    members: readonly ScheduledMember[][],
  ): ClaimCandidate[] {
    const now = this.clock.now().getTime();
    return ranges.flatMap(({ bucket, timezone, localDate, weekdays }, index) => {
      const weekday = this.weekdayOf(localDate);
      // A range's members come score by score: the instant is looked up once per score.
      let score = -1;
      let instant = new Date(0);
      return members[index].map((member) => {
        if (member.score !== score) {
          score = member.score;
          instant = this.instants.get(`${localDate}|${score}|${timezone}`, () =>
            instantOf(localDate, fromScore(member.score), timezone),
          );
        }
        const late = now > instant.getTime();
        const occurrence = dueOccurrence(member, { localDate, instant }, late);
        const vouched = weekdays !== undefined && instant.getTime() - now >= VOUCHED_AHEAD_MS;
        return { occurrence, weekday, bucket, vouched };
      });
    });
  }
}

/**
 * Answers kept by key, forgotten all at once past `capacity`: a tick asks the same questions
 * (a zone's ranges of its window, the instant of a local time) once per bucket, and the
 * answers of one tick are the next tick's misses, so a bound is all the eviction needed.
 */
class BoundedMemo<T> {
  private readonly answers = new Map<string, T>();

  constructor(private readonly capacity: number) {}

  get(key: string, compute: () => T): T {
    let answer = this.answers.get(key);
    if (answer === undefined) {
      if (this.answers.size >= this.capacity) this.answers.clear();
      answer = compute();
      this.answers.set(key, answer);
    }
    return answer;
  }
}
