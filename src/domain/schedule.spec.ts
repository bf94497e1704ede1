import { aSubscription, anOccurrenceOf } from '../../test/support/factories.js';
import { occurrencesBetween, sameSchedule, scheduleOf, stillMatches } from './schedule.js';

const subscription = aSubscription();
const occurrence = anOccurrenceOf(subscription, '2026-11-25');

describe('stillMatches (changes win at send time)', () => {
  it('sends an occurrence that still matches its subscription', () => {
    expect(stillMatches(subscription, occurrence)).toBe(true);
  });

  it('sends nothing for a paused subscription', () => {
    expect(stillMatches({ ...subscription, paused: true }, occurrence)).toBe(false);
  });

  it('sends nothing once the time or the timezone moved', () => {
    expect(stillMatches({ ...subscription, time: '09:00' }, occurrence)).toBe(false);
    expect(stillMatches({ ...subscription, timezone: 'Asia/Tokyo' }, occurrence)).toBe(false);
  });

  it('sends nothing once the local weekday is no longer enabled', () => {
    expect(stillMatches({ ...subscription, days: ['mon'] }, occurrence)).toBe(false);
  });

  it('still matches when only the title or the message changed', () => {
    expect(stillMatches({ ...subscription, title: 'other', message: 'new' }, occurrence)).toBe(
      true,
    );
  });
});

describe('occurrencesBetween', () => {
  const schedule = scheduleOf({ ...subscription, time: '02:30', timezone: 'America/New_York' });

  it('lists one occurrence per enabled local date in [from, until), in order, until excluded', () => {
    const found = occurrencesBetween(
      schedule,
      new Date('2026-03-07T00:00:00Z'),
      new Date('2026-03-10T06:30:00Z'),
    );
    expect(found.map(({ localDate, instant }) => [localDate, instant.toISOString()])).toEqual([
      ['2026-03-07', '2026-03-07T07:30:00.000Z'],
      // Spring-forward day: 02:30 does not exist and occurs at 03:00 EDT.
      ['2026-03-08', '2026-03-08T07:00:00.000Z'],
      ['2026-03-09', '2026-03-09T06:30:00.000Z'],
    ]);
  });

  it('leaves out the dates whose weekday is not enabled, and the one at until', () => {
    const weekdays = scheduleOf({ ...subscription, days: ['mon', 'fri'] });
    const found = occurrencesBetween(
      weekdays,
      new Date('2026-11-23T00:00:00Z'),
      new Date('2026-11-30T00:00:00Z'),
    );
    expect(found.map(({ localDate }) => localDate)).toEqual(['2026-11-23', '2026-11-27']);
  });
});

describe('sameSchedule', () => {
  it('tells a schedule change from a change of anything else', () => {
    expect(sameSchedule(subscription, { ...subscription, title: 'other' })).toBe(true);
    expect(sameSchedule(subscription, { ...subscription, time: '08:01' })).toBe(false);
    expect(sameSchedule(subscription, { ...subscription, days: ['mon'] })).toBe(false);
  });
});
