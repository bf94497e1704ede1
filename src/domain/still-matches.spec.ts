import { Subscription } from './subscription.js';
import { DueOccurrence } from './occurrence.js';
import { DeliveryError } from './notification.js';
import { stillMatches } from './still-matches.js';

const subscription: Subscription = {
  userId: 'ada',
  tag: 'news',
  time: '08:00',
  timezone: 'Asia/Shanghai',
  days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  channel: 'log',
  target: null,
  title: 'news',
  message: '',
  data: {},
  paused: false,
  createdAt: new Date('2026-11-01T00:00:00Z'),
  updatedAt: new Date('2026-11-01T00:00:00Z'),
  armedAt: new Date('2026-11-01T00:00:00Z'),
};

const occurrence: DueOccurrence = {
  userId: 'ada',
  tag: 'news',
  occurrenceId: 'ada|news|2026-11-25',
  localDate: '2026-11-25',
  scheduledFor: new Date('2026-11-25T00:00:00Z'),
  late: false,
};

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

describe('DeliveryError.fromHttpStatus (SPEC 4 retry rule)', () => {
  it.each([408, 429, 500, 502, 503, 599])('retries HTTP %i', (status) => {
    expect(DeliveryError.fromHttpStatus(status).retryable).toBe(true);
  });

  it.each([400, 401, 403, 404, 410, 422])('does not retry HTTP %i', (status) => {
    expect(DeliveryError.fromHttpStatus(status).retryable).toBe(false);
  });
});
