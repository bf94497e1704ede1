import { aSubscription } from '../../test/support/factories.js';
import { decodeSubscription, encodeSubscription } from './subscription.codec.js';

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
});
