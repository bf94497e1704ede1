import { IANAZone } from 'luxon';
import { IANA_LINKS, IANA_ZONES } from './iana-zones.js';

/**
 * tzdata names Etc/UTC the zone and UTC one of its links; chime answers `UTC` for all of them,
 * SPEC 1's own spelling and the one chime has always stored, so that one zone has one name.
 */
const SPELLING_OF_ZONE: Readonly<Record<string, string>> = { 'Etc/UTC': 'UTC' };

const spell = (zone: string) => SPELLING_OF_ZONE[zone] ?? zone;

/** Every tzdata name, folded to lower case, and the name chime answers for it. */
const IANA_SPELLING: ReadonlyMap<string, string> = new Map([
  ...IANA_ZONES.map((zone) => [zone.toLowerCase(), spell(zone)] as const),
  ...IANA_LINKS.map(([link, zone]) => [link.toLowerCase(), spell(zone)] as const),
]);

type RuntimeKnows = (zone: string) => boolean;

const runtimeKnows: RuntimeKnows = (zone) => IANAZone.isValidZone(zone);

/**
 * What the runtime answers for a name does not change while the process runs, and asking
 * builds an Intl.DateTimeFormat (tens of microseconds, a fifth of a subscription write's CPU
 * when the validator and the canonical spelling both asked on every request): each name's
 * answers are kept. Names come from requests, so the memo is bounded (cleared when full).
 */
const MEMO_CAPACITY = 10_000;
const ianaMemo = new Map<string, string | null>();
const canonicalMemo = new Map<string, string>();

function remembered<T>(memo: Map<string, T>, zone: string, compute: () => T): T {
  let value = memo.get(zone);
  if (value === undefined) {
    value = compute();
    if (memo.size >= MEMO_CAPACITY) memo.clear();
    memo.set(zone, value);
  }
  return value;
}

/** The runtime's (ICU's) own spelling, which may be a legacy alias (Asia/Calcutta). */
function runtimeSpelling(zone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
}

/**
 * IANA's spelling of a zone name, matched case-insensitively (`us/eastern` is
 * `America/New_York`, `Asia/Calcutta` is `Asia/Kolkata`), or undefined for a name tzdata does
 * not have or the runtime cannot compute. Should the runtime be older than the shipped names
 * and lack a link's target, its own spelling of the name stands in.
 */
export function ianaTimezone(zone: string, knows?: RuntimeKnows): string | undefined {
  if (knows) return ianaSpelling(zone, knows);
  return remembered(ianaMemo, zone, () => ianaSpelling(zone, runtimeKnows) ?? null) ?? undefined;
}

function ianaSpelling(zone: string, knows: RuntimeKnows): string | undefined {
  const iana = IANA_SPELLING.get(zone.toLowerCase());
  if (iana === undefined) return undefined;
  if (knows(iana)) return iana;
  return knows(zone) ? runtimeSpelling(zone) : undefined;
}

/** An IANA zone name (tzdata has it) that the runtime can compute with. */
export function isKnownTimezone(zone: unknown): zone is string {
  return typeof zone === 'string' && ianaTimezone(zone) !== undefined;
}

/**
 * The spelling chime stores and answers: IANA's (see `ianaTimezone`). A name the runtime knows
 * but tzdata does not (stored before chime checked against tzdata) keeps the runtime's spelling.
 */
export function canonicalTimezone(zone: string): string {
  return remembered(canonicalMemo, zone, () => ianaTimezone(zone) ?? runtimeSpelling(zone));
}
