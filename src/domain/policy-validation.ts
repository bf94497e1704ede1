import { DateTime } from 'luxon';
import { isHHMM, parseHHMM, Weekday, WEEKDAYS } from './local-time.js';
import { MAX_QUIET_WINDOWS, ON_QUIET, OnQuiet, Policy, QuietWindow } from './policy.js';
import { canonicalTimezone, isKnownTimezone } from './timezone.js';

/** A policy as a client sends it, checked, or every reason it was refused. */
export type PolicyValidation =
  | { readonly policy: Policy; readonly errors?: undefined }
  | { readonly policy?: undefined; readonly errors: readonly string[] };

const POLICY_FIELDS = ['timezone', 'quietHours', 'onQuiet', 'snoozeUntil'];
const WINDOW_FIELDS = ['from', 'to', 'days'];
/** An instant names its offset: `2026-03-08T07:00:00Z`, `...+05:45`; a bare local time does not. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;
const MINUTES_PER_WEEK = 7 * 1440;

type Fields = Record<string, unknown>;

/**
 * A policy body (SPEC 7) checked whole: every bad field is named at once. An omitted or null
 * field takes its default (`timezone`: `defaultTimezone`); `days` of a window, all seven.
 */
export function validatePolicy(input: unknown, defaultTimezone: string): PolicyValidation {
  if (!isFields(input)) return { errors: ['the policy must be a JSON object'] };
  const errors = unknownFields(input, POLICY_FIELDS, '');
  const timezone = checkTimezone(input.timezone, defaultTimezone, errors);
  const quietHours = checkQuietHours(input.quietHours, errors);
  const onQuiet = checkOnQuiet(input.onQuiet, errors);
  const snoozeUntil = checkSnoozeUntil(input.snoozeUntil, errors);
  if (quietHours && onQuiet === 'hold' && coversWholeWeek(quietHours)) {
    errors.push('quietHours must leave some minute of the week free when onQuiet is hold');
  }
  if (errors.length > 0) return { errors };
  return { policy: { timezone, quietHours: quietHours!, onQuiet: onQuiet!, snoozeUntil } };
}

function checkTimezone(value: unknown, defaultTimezone: string, errors: string[]): string {
  if (value === undefined || value === null) return defaultTimezone;
  if (isKnownTimezone(value)) return canonicalTimezone(value);
  errors.push('timezone must be an IANA time zone name such as Europe/Paris or UTC');
  return defaultTimezone;
}

function checkQuietHours(value: unknown, errors: string[]): QuietWindow[] | undefined {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.push(`quietHours must be an array of at most ${MAX_QUIET_WINDOWS} windows`);
    return undefined;
  }
  const before = errors.length;
  if (value.length > MAX_QUIET_WINDOWS) {
    errors.push(`quietHours must hold at most ${MAX_QUIET_WINDOWS} windows, not ${value.length}`);
  }
  const windows = value.map((window, index) => checkWindow(window, `quietHours[${index}]`, errors));
  return errors.length === before ? (windows as QuietWindow[]) : undefined;
}

function checkWindow(value: unknown, path: string, errors: string[]): QuietWindow | undefined {
  if (!isFields(value)) {
    errors.push(`${path} must be an object {"from", "to", "days"}`);
    return undefined;
  }
  errors.push(...unknownFields(value, WINDOW_FIELDS, `${path}.`));
  const { from, to } = value;
  for (const [field, time] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!isHHMM(time)) errors.push(`${path}.${field} must be a time "HH:MM" from 00:00 to 23:59`);
  }
  if (isHHMM(from) && from === to) {
    errors.push(`${path} must not start and end at the same time (from equals to)`);
  }
  const days = checkDays(value.days, `${path}.days`, errors);
  return { from, to, days } as QuietWindow;
}

function checkDays(value: unknown, path: string, errors: string[]): readonly Weekday[] {
  if (value === undefined || value === null) return WEEKDAYS;
  if (!Array.isArray(value) || value.length === 0) {
    errors.push(`${path} must name at least one day`);
  } else if (!value.every((day) => WEEKDAYS.includes(day))) {
    errors.push(`${path} must hold only ${WEEKDAYS.join(', ')}`);
  } else if (new Set(value).size !== value.length) {
    errors.push(`${path} must not name a day twice`);
  }
  return value as Weekday[];
}

function checkOnQuiet(value: unknown, errors: string[]): OnQuiet | undefined {
  if (value === undefined || value === null) return 'hold';
  if (ON_QUIET.some((choice) => choice === value)) return value as OnQuiet;
  errors.push(`onQuiet must be one of: ${ON_QUIET.join(', ')}`);
  return undefined;
}

function checkSnoozeUntil(value: unknown, errors: string[]): Date | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  if (typeof value === 'string' && ISO_INSTANT.test(value)) {
    const instant = DateTime.fromISO(value, { setZone: true });
    if (instant.isValid) return instant.toJSDate();
  }
  errors.push('snoozeUntil must be an ISO-8601 instant such as 2026-03-08T07:00:00Z, or null');
  return null;
}

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownFields(value: Fields, known: readonly string[], prefix: string): string[] {
  return Object.keys(value)
    .filter((key) => !known.includes(key))
    .map((key) => `property ${prefix}${key} should not exist`);
}

/** Whether the windows, as local times of the week, leave no minute out. */
function coversWholeWeek(windows: readonly QuietWindow[]): boolean {
  const quiet = new Uint8Array(MINUTES_PER_WEEK);
  for (const { from, to, days } of windows) {
    const [start, end] = [minuteOfDay(from), minuteOfDay(to)];
    const length = end > start ? end - start : end + 1440 - start;
    for (const day of days) {
      const first = WEEKDAYS.indexOf(day) * 1440 + start;
      for (let minute = first; minute < first + length; minute++) {
        quiet[minute % MINUTES_PER_WEEK] = 1;
      }
    }
  }
  return quiet.every((minute) => minute === 1);
}

function minuteOfDay(time: string): number {
  const { hour, minute } = parseHHMM(time);
  return hour * 60 + minute;
}
