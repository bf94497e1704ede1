import { TimeOfDay } from './local-time.js';
import { zoneClock } from './zone-clock.js';

/** What a time inside a spring-forward gap or a fall-back overlap does (SPEC 1, 4). */
export interface DstChoice {
  readonly gap: 'shift' | 'skip';
  readonly overlap: 'first' | 'last';
}

export const DST_GAPS = ['shift', 'skip'] as const;
export const DST_OVERLAPS = ['first', 'last'] as const;

/** Today's behaviour: a gap shifts to its end, an overlap takes the earlier instant. */
export const DEFAULT_DST: DstChoice = { gap: 'shift', overlap: 'first' };

/** The DST rule that shaped an occurrence, as the preview names it (SPEC 7). */
export type DstRule =
  'dst-gap-shifted' | 'dst-gap-skipped' | 'dst-overlap-first' | 'dst-overlap-last';

/** A local time on a local date resolved to one instant, or none when `skip` leaves it out. */
export interface ResolvedTime {
  readonly instant: Date | null;
  /** The rule that decided, or null when the time occurs exactly once that date. */
  readonly rule: DstRule | null;
}

export function isDstChoice(value: unknown): value is DstChoice {
  if (typeof value !== 'object' || value === null) return false;
  const { gap, overlap, ...rest } = value as Record<string, unknown>;
  return (
    DST_GAPS.some((choice) => choice === gap) &&
    DST_OVERLAPS.some((choice) => choice === overlap) &&
    Object.keys(rest).length === 0
  );
}

/**
 * The instant a local time has on a local date in a zone, under a DST choice: at most one.
 * A time no instant reads (a gap) shifts to the gap's end or is skipped; a time two instants
 * read (an overlap) takes the earlier or the later.
 */
export function resolveLocalTime(
  localDate: string,
  time: TimeOfDay,
  timezone: string,
  dst: DstChoice = DEFAULT_DST,
): ResolvedTime {
  const clock = zoneClock(timezone);
  const instants = clock.instantsOf(localDate, time);
  if (instants.length === 1) return { instant: new Date(instants[0]), rule: null };
  if (instants.length === 0) {
    if (dst.gap === 'skip') return { instant: null, rule: 'dst-gap-skipped' };
    return { instant: new Date(clock.gapEndAfter(localDate, time)), rule: 'dst-gap-shifted' };
  }
  if (dst.overlap === 'last') {
    return { instant: new Date(instants[instants.length - 1]), rule: 'dst-overlap-last' };
  }
  return { instant: new Date(instants[0]), rule: 'dst-overlap-first' };
}
