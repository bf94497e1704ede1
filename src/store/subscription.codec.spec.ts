import fc from 'fast-check';
import { aSubscription } from '../../test/support/factories.js';
import { WEEKDAYS } from '../domain/local-time.js';
import {
  decodeSubscription,
  encodeSubscription,
  weekdaysOfPart,
  zonePartOf,
  zonePartOfValue,
} from './subscription.codec.js';

const subscription = aSubscription({ days: ['mon', 'fri'] });
const key = { userId: 'ada', tag: 'news' };

describe('the subscription codec', () => {
  it('stores nothing for rules at their defaults', () => {
    const value = encodeSubscription(subscription, 3);
    expect(value.endsWith(',[]')).toBe(true);
    expect(decodeSubscription(key, value)).toEqual({ ...subscription, revision: 3 });
  });

  it.each([
    { critical: true },
    { maxLatenessMinutes: 90 },
    { skipDates: ['2026-12-25', '2027-01-01'] },
    { dst: { gap: 'skip', overlap: 'first' } as const },
    { dst: { gap: 'shift', overlap: 'last' } as const },
    { critical: true, maxLatenessMinutes: 1, dst: { gap: 'skip', overlap: 'last' } as const },
  ])('keeps the rules %j', (rules) => {
    const ruled = { ...subscription, ...rules };
    expect(decodeSubscription(key, encodeSubscription(ruled, 1))).toEqual({
      ...ruled,
      revision: 1,
    });
  });

  it('keeps rules after default content fields', () => {
    const ruled = { ...subscription, target: 'https://example.com/h', critical: true };
    expect(decodeSubscription(key, encodeSubscription(ruled, 1))).toEqual({
      ...ruled,
      revision: 1,
    });
  });

  describe('zone parts', () => {
    const days = fc.subarray([...WEEKDAYS], { minLength: 1 });

    it('names the part the Lua scripts read out of the stored value', () => {
      fc.assert(
        fc.property(days, fc.boolean(), (chosen, paused) => {
          const value = encodeSubscription({ ...subscription, days: chosen, paused }, 1);
          expect(zonePartOfValue(value)).toBe(zonePartOf({ days: chosen, paused }));
        }),
      );
    });

    it("vouches for exactly a subscription's weekdays, and for none while it is paused", () => {
      fc.assert(
        fc.property(days, (chosen) => {
          expect(weekdaysOfPart(zonePartOf({ days: chosen, paused: false }))).toEqual(chosen);
          expect(weekdaysOfPart(zonePartOf({ days: chosen, paused: true }))).toBeNull();
        }),
      );
    });

    it.each(['d7f', 'd1f', 'd60', 'paused'])('names %s as SPEC 3 documents', (part) => {
      const byPart = {
        d7f: [...WEEKDAYS],
        d1f: ['mon', 'tue', 'wed', 'thu', 'fri'],
        d60: ['sat', 'sun'],
        paused: ['mon'],
      } as const;
      expect(
        zonePartOf({ days: [...byPart[part as keyof typeof byPart]], paused: part === 'paused' }),
      ).toBe(part);
    });

    it.each(['', 'd', 'd00', 'd80', 'dzz', 'D7f', 'd7f0', 'x'])(
      'vouches for nothing in a part named %j',
      (part) => {
        expect(weekdaysOfPart(part)).toBeNull();
      },
    );
  });
});
