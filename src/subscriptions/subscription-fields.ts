import { DEFAULT_DST } from '../domain/dst.js';
import { Weekday, WEEKDAYS } from '../domain/local-time.js';
import { canonicalTimezone } from '../domain/timezone.js';
import { PatchSubscriptionDto } from './dto/patch-subscription.dto.js';
import { PutSubscriptionDto } from './dto/put-subscription.dto.js';
import { SubscriptionFields, SubscriptionKey } from '../domain/subscription.js';

/** A PUT body with SPEC 1's defaults for whatever it omits (or sets to null). */
export function completeFields(
  key: SubscriptionKey,
  body: PutSubscriptionDto,
  defaultTimezone: string,
): SubscriptionFields {
  return {
    time: body.time,
    timezone: canonicalTimezone(body.timezone ?? defaultTimezone),
    days: inWeekOrder(body.days ?? WEEKDAYS),
    channel: body.channel,
    target: body.target ?? null,
    title: body.title ?? key.tag,
    message: body.message ?? '',
    data: body.data ?? {},
    paused: body.paused ?? false,
    critical: body.critical ?? false,
    maxLatenessMinutes: body.maxLatenessMinutes ?? null,
    skipDates: [...(body.skipDates ?? [])].sort(),
    dst: { ...DEFAULT_DST, ...body.dst },
  };
}

/** The stored fields with a PATCH body's fields laid over them; null restores a default. */
export function mergeFields(
  current: SubscriptionFields & SubscriptionKey,
  body: PatchSubscriptionDto,
  defaultTimezone: string,
): SubscriptionFields {
  const given = Object.fromEntries(
    Object.entries(body).filter(([, value]) => value !== undefined),
  ) as PatchSubscriptionDto;
  const merged: PutSubscriptionDto = {
    ...current,
    days: [...current.days],
    data: { ...current.data },
    skipDates: [...current.skipDates],
    dst: { ...current.dst },
    ...given,
    time: given.time ?? current.time,
    channel: given.channel ?? current.channel,
  };
  return completeFields(current, merged, defaultTimezone);
}

function inWeekOrder(days: readonly Weekday[]): Weekday[] {
  return WEEKDAYS.filter((day) => days.includes(day));
}
