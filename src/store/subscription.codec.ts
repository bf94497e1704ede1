import { DEFAULT_DST, DstChoice } from '../domain/dst.js';
import { OccurrenceRules } from '../domain/decision.js';
import { WEEKDAYS, Weekday } from '../domain/local-time.js';
import { StoredSubscription, Subscription, SubscriptionKey } from '../domain/subscription.js';

/*
 * A subscription's stored value: the field `<tag>` of its user's HASH (SPEC 3 leaves the
 * encoding to chime). One compact string, a fixed header the Lua scripts read by position,
 * then the parts of variable length:
 *
 *   pos  1     'A' (this encoding)
 *   pos  2-3   enabled weekdays, a bitmask in hex (bit 0 Monday ... bit 6 Sunday)
 *   pos  4     paused: PAUSED_FLAG or '0'
 *   pos  5-12  armedAt, epoch ms in base 36, 8 digits (lexical order is time order)
 *   pos 13-20  createdAt, the same way
 *   pos 21-28  updatedAt, the same way
 *   pos 29-32  time as HHMM digits
 *   then       `<revision, base 36>,<timezone>,<channel>,` and a JSON array
 *              `[target, title, message, data, rules]` without its trailing defaults, title
 *              null when it is the tag; `rules` holds only the occurrence rules that differ
 *              from SPEC 1's defaults: `c` critical (1), `l` maxLatenessMinutes, `s`
 *              skipDates, `g` 'skip' (dst.gap), `o` 'last' (dst.overlap).
 *
 * userId and tag are not stored: they are the key and the field. Against the first layout's
 * HASH of 15 named fields this is about a third of the bytes (bench/README.md).
 */

const ENCODING = 'A';
/** The `paused` character of a paused subscription; the claim script compares with it. */
export const PAUSED_FLAG = '1';
const TIME_DIGITS = 8;
const HEADER_LENGTH = 32;

export function encodeSubscription(subscription: Subscription, revision: number): string {
  const { days, paused, armedAt, createdAt, updatedAt, time, timezone, channel } = subscription;
  const header =
    ENCODING +
    weekdayMask(days).toString(16).padStart(2, '0') +
    (paused ? PAUSED_FLAG : '0') +
    encodeInstant(armedAt) +
    encodeInstant(createdAt) +
    encodeInstant(updatedAt) +
    time.replace(':', '');
  return `${header}${revision.toString(36)},${timezone},${channel},${JSON.stringify(tail(subscription))}`;
}

/** The subscription a stored value holds; throws on a value chime did not write. */
export function decodeSubscription(key: SubscriptionKey, value: string): StoredSubscription {
  if (value[0] !== ENCODING || value.length < HEADER_LENGTH) {
    throw new Error(`not a subscription value: ${value.slice(0, 40)}`);
  }
  const rest = value.slice(HEADER_LENGTH);
  const [revision, timezone, channel] = rest.split(',', 3);
  const json = rest.slice(revision.length + timezone.length + channel.length + 3);
  const [target = null, title = null, message = '', data = {}, rules = {}] = JSON.parse(
    json,
  ) as Tail;
  return {
    ...decodeRules(rules),
    ...key,
    time: `${value.slice(28, 30)}:${value.slice(30, 32)}`,
    timezone,
    days: weekdaysOf(parseInt(value.slice(1, 3), 16)),
    channel,
    target,
    title: title ?? key.tag,
    message,
    data,
    paused: value[3] === PAUSED_FLAG,
    armedAt: decodeInstant(value.slice(4, 12)),
    createdAt: decodeInstant(value.slice(12, 20)),
    updatedAt: decodeInstant(value.slice(20, 28)),
    revision: parseInt(revision, 36),
  };
}

/** An instant as the header holds it (the claim script compares an instant with armedAt). */
export function encodeInstant(instant: Date): string {
  return instant.getTime().toString(36).padStart(TIME_DIGITS, '0');
}

function decodeInstant(digits: string): Date {
  return new Date(parseInt(digits, 36));
}

/** The occurrence rules that differ from their defaults, in short names. */
interface EncodedRules {
  c?: 1;
  l?: number;
  s?: string[];
  g?: 'skip';
  o?: 'last';
}

type Tail = [string | null, string | null, string, Record<string, unknown>, EncodedRules];

function tail(subscription: Subscription): unknown[] {
  const { target, title, tag, message, data } = subscription;
  const rules = encodeRules(subscription);
  const parts: unknown[] = [target, title === tag ? null : title, message, data, rules];
  const isDefault = [
    () => parts[0] === null,
    () => parts[1] === null,
    () => message === '',
    () => Object.keys(data).length === 0,
    () => Object.keys(rules).length === 0,
  ];
  while (parts.length > 0 && isDefault[parts.length - 1]()) parts.pop();
  return parts;
}

/**
 * Which of its zone's ZSETs a subscription is a member of (SPEC 3's finer
 * `subs:<timezone>:<part>`): `paused` while paused, else `d` and its weekday mask as the value
 * writes it (`d7f` every day, `d1f` Monday to Friday). A scan reads only the parts of a range's
 * weekday (and the paused one, whose members it counts skipped), so a claim from a day part
 * need not read the value. The Lua scripts work the part out of a value the same way.
 */
export function zonePartOf({ days, paused }: Pick<Subscription, 'days' | 'paused'>): string {
  return paused ? PAUSED_PART : `d${weekdayMask(days).toString(16).padStart(2, '0')}`;
}

export const PAUSED_PART = 'paused';

/** `zonePartOf` a stored value, read by position as the Lua scripts read it. */
export function zonePartOfValue(value: string): string {
  return value[3] === PAUSED_FLAG ? PAUSED_PART : `d${value.slice(1, 3)}`;
}

/** The weekdays every member of a part has; null for the paused part (or a name chime did not write). */
export function weekdaysOfPart(part: string): Weekday[] | null {
  const mask = /^d[0-7][0-9a-f]$/.test(part) ? parseInt(part.slice(1), 16) : 0;
  return mask === 0 ? null : weekdaysOf(mask);
}

export function weekdayMask(days: readonly Weekday[]): number {
  return days.reduce((mask, day) => mask | (1 << WEEKDAYS.indexOf(day)), 0);
}

function weekdaysOf(mask: number): Weekday[] {
  return WEEKDAYS.filter((_, index) => (mask & (1 << index)) !== 0);
}

function encodeRules({ critical, maxLatenessMinutes, skipDates, dst }: OccurrenceRules) {
  const rules: EncodedRules = {};
  if (critical) rules.c = 1;
  if (maxLatenessMinutes !== null) rules.l = maxLatenessMinutes;
  if (skipDates.length > 0) rules.s = [...skipDates];
  if (dst.gap === 'skip') rules.g = 'skip';
  if (dst.overlap === 'last') rules.o = 'last';
  return rules;
}

function decodeRules({ c, l, s, g, o }: EncodedRules): OccurrenceRules {
  const dst: DstChoice =
    g || o ? { gap: g ?? DEFAULT_DST.gap, overlap: o ?? DEFAULT_DST.overlap } : DEFAULT_DST;
  return { critical: c === 1, maxLatenessMinutes: l ?? null, skipDates: s ?? [], dst };
}
