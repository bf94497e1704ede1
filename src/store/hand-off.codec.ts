import { dueOccurrence, DueOccurrence } from '../domain/occurrence.js';

/** One hand-off record line, `<occurrenceId>|<epoch ms>|<late 0/1>` (ids hold no `|`-free tag). */
export function handOffLine(occurrence: DueOccurrence): string {
  return `${occurrence.occurrenceId}|${occurrence.scheduledFor.getTime()}|${occurrence.late ? 1 : 0}`;
}

export function parseHandOffLine(line: string): DueOccurrence {
  const [userId, tag, localDate, instant, late] = line.split('|');
  const occurrence = { localDate, instant: new Date(Number(instant)) };
  return dueOccurrence({ userId, tag }, occurrence, late === '1');
}
