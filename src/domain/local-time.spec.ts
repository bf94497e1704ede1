import {
  formatHHMM,
  fromScore,
  instantOf,
  isHHMM,
  parseHHMM,
  scoresBetween,
  toScore,
  Weekday,
  WEEKDAYS,
  weekdayOf,
} from './local-time.js';
import { nextOccurrence, occurrenceOn, Schedule } from './schedule.js';

const at = (localDate: string, time: string, zone: string) =>
  instantOf(localDate, parseHHMM(time), zone).toISOString();

const schedule = (time: string, timezone: string, days: readonly Weekday[] = WEEKDAYS) => ({
  time: parseHHMM(time),
  timezone,
  days,
});

describe('HH:MM times', () => {
  it.each([
    ['00:00', 0],
    ['08:05', 805],
    ['12:30', 1230],
    ['23:59', 2359],
  ])('reads, writes and scores %s as %i', (text, score) => {
    const time = parseHHMM(text);
    expect(formatHHMM(time)).toBe(text);
    expect(toScore(time)).toBe(score);
    expect(fromScore(score)).toEqual(time);
  });

  it('round-trips every minute of the day through text and score', () => {
    for (let minute = 0; minute < 1440; minute++) {
      const time = { hour: Math.floor(minute / 60), minute: minute % 60 };
      expect(parseHHMM(formatHHMM(time))).toEqual(time);
      expect(fromScore(toScore(time))).toEqual(time);
    }
  });

  it.each(['24:00', '8:00', '08:60', '', '08:00:00', ' 08:00', '08-00', '0800', 'ab:cd'])(
    'rejects %j',
    (text) => {
      expect(isHHMM(text)).toBe(false);
      expect(() => parseHHMM(text)).toThrow(RangeError);
    },
  );

  it('rejects values that are not strings', () => {
    for (const value of [800, null, undefined, { hour: 8, minute: 0 }]) {
      expect(isHHMM(value)).toBe(false);
    }
  });
});

describe('scoresBetween', () => {
  it('steps over the scores that are no minute, across an hour and to the end of the day', () => {
    expect(scoresBetween(958, 1001)).toEqual([958, 959, 1000, 1001]);
    expect(scoresBetween(2358, 2359)).toEqual([2358, 2359]);
    expect(scoresBetween(900, 900)).toEqual([900]);
    expect(scoresBetween(901, 900)).toEqual([]);
  });

  it('lists every minute of the day once, in order', () => {
    const all = scoresBetween(0, 2359);
    expect(all).toHaveLength(1440);
    all.forEach((score, minute) =>
      expect(fromScore(score)).toEqual({ hour: Math.floor(minute / 60), minute: minute % 60 }),
    );
  });
});

describe('weekdayOf', () => {
  it.each([
    ['2026-06-01', 'mon'],
    ['2026-06-06', 'sat'],
    ['2026-06-07', 'sun'],
    ['2028-02-29', 'tue'],
  ])('names %s a %s', (date, day) => {
    expect(weekdayOf(date)).toBe(day);
  });
});

describe('instantOf on ordinary days', () => {
  it.each([
    ['2026-06-01', '08:00', 'Asia/Shanghai', '2026-06-01T00:00:00.000Z'],
    ['2026-01-15', '20:30', 'Asia/Shanghai', '2026-01-15T12:30:00.000Z'],
    ['2026-06-01', '08:00', 'UTC', '2026-06-01T08:00:00.000Z'],
    ['2026-06-01', '08:00', 'Asia/Kathmandu', '2026-06-01T02:15:00.000Z'],
    ['2026-06-01', '00:10', 'Asia/Kathmandu', '2026-05-31T18:25:00.000Z'],
  ])('occurs on %s at %s %s at %s', (date, time, zone, expected) => {
    expect(at(date, time, zone)).toBe(expected);
  });

  it('puts midnight in Shanghai on the previous UTC date', () => {
    expect(at('2026-06-01', '00:00', 'Asia/Shanghai')).toBe('2026-05-31T16:00:00.000Z');
  });

  it('puts 23:59 in Los Angeles on the next UTC date', () => {
    expect(at('2026-06-01', '23:59', 'America/Los_Angeles')).toBe('2026-06-02T06:59:00.000Z');
  });

  it('keeps 00:00 and 23:59 UTC on the same UTC date', () => {
    expect(at('2026-12-31', '00:00', 'UTC')).toBe('2026-12-31T00:00:00.000Z');
    expect(at('2026-12-31', '23:59', 'UTC')).toBe('2026-12-31T23:59:00.000Z');
  });
});

describe('instantOf on New York DST days (SPEC 4)', () => {
  it.each([
    ['01:59', '2026-03-08T06:59:00.000Z'],
    ['02:00', '2026-03-08T07:00:00.000Z'],
    ['02:30', '2026-03-08T07:00:00.000Z'],
    ['02:59', '2026-03-08T07:00:00.000Z'],
    ['03:00', '2026-03-08T07:00:00.000Z'],
    ['03:01', '2026-03-08T07:01:00.000Z'],
  ])('occurs %s on spring-forward day 2026-03-08 at %s', (time, expected) => {
    expect(at('2026-03-08', time, 'America/New_York')).toBe(expected);
  });

  it('occurs at 03:00 EDT for 02:30 on New York spring-forward day', () => {
    expect(at('2026-03-08', '02:30', 'America/New_York')).toBe('2026-03-08T07:00:00.000Z');
  });

  it.each([
    ['00:59', '2026-11-01T04:59:00.000Z'],
    ['01:00', '2026-11-01T05:00:00.000Z'],
    ['01:30', '2026-11-01T05:30:00.000Z'],
    ['01:59', '2026-11-01T05:59:00.000Z'],
    ['02:00', '2026-11-01T07:00:00.000Z'],
  ])('occurs %s on fall-back day 2026-11-01 once, at %s', (time, expected) => {
    expect(at('2026-11-01', time, 'America/New_York')).toBe(expected);
  });
});

describe('instantOf on London DST days', () => {
  it.each([
    ['00:59', '2026-03-29T00:59:00.000Z'],
    ['01:00', '2026-03-29T01:00:00.000Z'],
    ['01:30', '2026-03-29T01:00:00.000Z'],
    ['02:00', '2026-03-29T01:00:00.000Z'],
  ])('occurs %s on spring-forward day 2026-03-29 at %s', (time, expected) => {
    expect(at('2026-03-29', time, 'Europe/London')).toBe(expected);
  });

  it.each([
    ['00:59', '2026-10-24T23:59:00.000Z'],
    ['01:30', '2026-10-25T00:30:00.000Z'],
    ['02:00', '2026-10-25T02:00:00.000Z'],
  ])('occurs %s on fall-back day 2026-10-25 once, at %s', (time, expected) => {
    expect(at('2026-10-25', time, 'Europe/London')).toBe(expected);
  });
});

describe('instantOf on Lord Howe Island, whose DST shifts 30 minutes', () => {
  // 2026-10-04 02:00 +10:30 jumps to 02:30 +11:00; 2026-04-05 02:00 +11:00 falls to 01:30 +10:30.
  it.each([
    ['01:59', '2026-10-03T15:29:00.000Z'],
    ['02:00', '2026-10-03T15:30:00.000Z'],
    ['02:15', '2026-10-03T15:30:00.000Z'],
    ['02:29', '2026-10-03T15:30:00.000Z'],
    ['02:30', '2026-10-03T15:30:00.000Z'],
  ])('occurs %s on spring-forward day 2026-10-04 at %s', (time, expected) => {
    expect(at('2026-10-04', time, 'Australia/Lord_Howe')).toBe(expected);
  });

  it.each([
    ['01:29', '2026-04-04T14:29:00.000Z'],
    ['01:30', '2026-04-04T14:30:00.000Z'],
    ['01:45', '2026-04-04T14:45:00.000Z'],
    ['02:00', '2026-04-04T15:30:00.000Z'],
  ])('occurs %s on fall-back day 2026-04-05 once, at %s', (time, expected) => {
    expect(at('2026-04-05', time, 'Australia/Lord_Howe')).toBe(expected);
  });
});

describe('instantOf where DST changes at midnight (America/Santiago)', () => {
  it('occurs at 01:00 -03 for 00:00 on spring-forward day 2026-09-06', () => {
    expect(at('2026-09-06', '00:00', 'America/Santiago')).toBe('2026-09-06T04:00:00.000Z');
  });

  it('occurs 23:30 on the evening before the fall-back at the earlier instant', () => {
    expect(at('2026-04-04', '23:30', 'America/Santiago')).toBe('2026-04-05T02:30:00.000Z');
  });
});

describe('occurrenceOn', () => {
  it('is null on a weekday the schedule does not enable', () => {
    expect(occurrenceOn(schedule('08:00', 'UTC', ['mon']), '2026-06-02')).toBeNull();
  });

  it('gives the local date and its instant on an enabled weekday', () => {
    expect(occurrenceOn(schedule('08:00', 'UTC', ['mon']), '2026-06-01')).toEqual({
      localDate: '2026-06-01',
      instant: new Date('2026-06-01T08:00:00.000Z'),
    });
  });
});

describe('nextOccurrence', () => {
  const next = (s: Schedule, notBefore: string) => {
    const occurrence = nextOccurrence(s, new Date(notBefore));
    return occurrence && { localDate: occurrence.localDate, at: occurrence.instant.toISOString() };
  };
  const daily = schedule('08:00', 'UTC');
  const weekdays = schedule('08:00', 'UTC', ['mon', 'tue', 'wed', 'thu', 'fri']);

  it('finds later the same day', () => {
    expect(next(daily, '2026-06-01T07:00:00Z')).toEqual({
      localDate: '2026-06-01',
      at: '2026-06-01T08:00:00.000Z',
    });
  });

  it('moves to tomorrow once today has passed', () => {
    expect(next(daily, '2026-06-01T08:00:00.001Z')).toEqual({
      localDate: '2026-06-02',
      at: '2026-06-02T08:00:00.000Z',
    });
  });

  it('returns the very instant when asked exactly at it', () => {
    expect(next(daily, '2026-06-01T08:00:00.000Z')?.at).toBe('2026-06-01T08:00:00.000Z');
  });

  it('skips a weekend to Monday for a weekday-only schedule asked on Saturday', () => {
    expect(next(weekdays, '2026-06-06T07:00:00Z')).toEqual({
      localDate: '2026-06-08',
      at: '2026-06-08T08:00:00.000Z',
    });
  });

  it('reads days as local weekdays, not UTC ones', () => {
    // Monday 07:00 in Shanghai is Sunday 23:00 UTC.
    expect(next(schedule('07:00', 'Asia/Shanghai', ['mon']), '2026-06-07T22:00:00Z')).toEqual({
      localDate: '2026-06-08',
      at: '2026-06-07T23:00:00.000Z',
    });
  });

  it('waits a whole week for a one-day schedule just missed', () => {
    expect(next(schedule('08:00', 'UTC', ['mon']), '2026-06-01T08:01:00Z')?.at).toBe(
      '2026-06-08T08:00:00.000Z',
    );
  });

  it('is null when no weekday is enabled', () => {
    expect(next(schedule('08:00', 'UTC', []), '2026-06-01T00:00:00Z')).toBeNull();
  });

  it('reaches a 02:30 New York schedule at 03:00 EDT on spring-forward day', () => {
    const s = schedule('02:30', 'America/New_York');
    expect(next(s, '2026-03-07T08:00:00Z')).toEqual({
      localDate: '2026-03-08',
      at: '2026-03-08T07:00:00.000Z',
    });
    expect(next(s, '2026-03-08T07:00:00.001Z')).toEqual({
      localDate: '2026-03-09',
      at: '2026-03-09T06:30:00.000Z',
    });
  });

  it('does not repeat a 01:30 New York schedule in the fall-back hour', () => {
    // 01:30 EDT (05:30Z) is the occurrence; 01:30 EST (06:30Z) that day is not another one.
    expect(next(schedule('01:30', 'America/New_York'), '2026-11-01T05:30:00.001Z')).toEqual({
      localDate: '2026-11-02',
      at: '2026-11-02T06:30:00.000Z',
    });
  });
});
