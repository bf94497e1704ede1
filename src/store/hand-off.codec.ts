import { dueOccurrence, DueOccurrence } from '../domain/occurrence.js';

/*
 * A hand-off record holds one line per occurrence, `<occurrenceId>|<epoch ms>|<late 0/1>`
 * (ids hold no other `|` than their own two). The claim script writes the lines of what it
 * wins, as the occurrence id followed by the suffix made here.
 */

export function handOffLineSuffix({ scheduledFor, late }: DueOccurrence): string {
  return `|${scheduledFor.getTime()}|${late ? 1 : 0}`;
}

export function handOffLine(occurrence: DueOccurrence): string {
  return `${occurrence.occurrenceId}${handOffLineSuffix(occurrence)}`;
}

export function parseHandOffLine(line: string): DueOccurrence {
  const [userId, tag, localDate, instant, late] = line.split('|');
  const occurrence = { localDate, instant: new Date(Number(instant)) };
  return dueOccurrence({ userId, tag }, occurrence, late === '1');
}
