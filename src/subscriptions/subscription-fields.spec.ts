import { plainToInstance } from 'class-transformer';
import { PatchSubscriptionDto } from './dto/patch-subscription.dto.js';
import { PutSubscriptionDto } from './dto/put-subscription.dto.js';
import { completeFields, mergeFields } from './subscription-fields.js';
import { SubscriptionFields } from '../domain/subscription.js';

const key = { userId: 'user-42', tag: 'morning-news' };
const put = (body: object) => plainToInstance(PutSubscriptionDto, body);
const patch = (body: object) => plainToInstance(PatchSubscriptionDto, body);

const current: SubscriptionFields = {
  time: '08:00',
  timezone: 'Asia/Shanghai',
  days: ['mon', 'wed'],
  channel: 'webhook',
  target: 'https://example.com/hook',
  title: 'Morning news',
  message: 'Read me',
  data: { edition: 'asia' },
  paused: true,
  critical: true,
  maxLatenessMinutes: 90,
  skipDates: ['2026-12-25', '2027-01-01'],
  dst: { gap: 'skip', overlap: 'last' },
};
const defaultRules = {
  critical: false,
  maxLatenessMinutes: null,
  skipDates: [],
  dst: { gap: 'shift', overlap: 'first' },
};
const stored = { ...key, ...current };

describe('completeFields', () => {
  it('fills every omitted field with its SPEC 1 default', () => {
    expect(completeFields(key, put({ time: '08:00', channel: 'log' }), 'Europe/Paris')).toEqual({
      time: '08:00',
      timezone: 'Europe/Paris',
      days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      channel: 'log',
      target: null,
      title: 'morning-news',
      message: '',
      data: {},
      paused: false,
      ...defaultRules,
    });
  });

  it('treats null fields as omitted ones', () => {
    const body = { time: '08:00', channel: 'log', timezone: null, days: null, target: null };
    const nulls = { title: null, message: null, data: null, paused: null, critical: null };
    Object.assign(nulls, { maxLatenessMinutes: null, skipDates: null, dst: null });
    expect(completeFields(key, put({ ...body, ...nulls }), 'UTC')).toEqual(
      completeFields(key, put({ time: '08:00', channel: 'log' }), 'UTC'),
    );
  });

  it('keeps what the body gives', () => {
    expect(completeFields(key, put(current), 'UTC')).toEqual(current);
  });

  it('sorts skip dates and fills the part of a dst choice the body leaves out', () => {
    const body = { time: '08:00', channel: 'log', skipDates: ['2027-01-01', '2026-12-25'] };
    const fields = completeFields(key, put({ ...body, dst: { overlap: 'last' } }), 'UTC');
    expect(fields.skipDates).toEqual(['2026-12-25', '2027-01-01']);
    expect(fields.dst).toEqual({ gap: 'shift', overlap: 'last' });
  });

  it("stores IANA's spelling of a timezone, not the runtime's legacy alias", () => {
    const body = { time: '08:00', channel: 'log' };
    expect(completeFields(key, put({ ...body, timezone: 'Asia/Kolkata' }), 'UTC').timezone).toBe(
      'Asia/Kolkata',
    );
    expect(completeFields(key, put({ ...body, timezone: 'asia/calcutta' }), 'UTC').timezone).toBe(
      'Asia/Kolkata',
    );
    expect(completeFields(key, put(body), 'Europe/Kiev').timezone).toBe('Europe/Kyiv');
    expect(completeFields(key, put({ ...body, timezone: 'asia/shanghai' }), 'UTC').timezone).toBe(
      'Asia/Shanghai',
    );
    expect(completeFields(key, put({ ...body, timezone: 'Etc/UTC' }), 'UTC').timezone).toBe('UTC');
    expect(completeFields(key, put(body), 'america/new_york').timezone).toBe('America/New_York');
  });

  it('lists days in week order, whatever order the body gives', () => {
    const body = put({ time: '08:00', channel: 'log', days: ['sun', 'fri', 'mon', 'wed'] });
    expect(completeFields(key, body, 'UTC').days).toEqual(['mon', 'wed', 'fri', 'sun']);
  });
});

describe('mergeFields', () => {
  it('changes only the fields a PATCH gives', () => {
    expect(mergeFields(stored, patch({ paused: false, time: '09:15' }), 'UTC')).toEqual({
      ...current,
      paused: false,
      time: '09:15',
    });
  });

  it('keeps everything for an empty PATCH', () => {
    expect(mergeFields(stored, patch({}), 'UTC')).toEqual(current);
  });

  it('restores each default for a null field', () => {
    const nulls = { timezone: null, days: null, target: null, title: null };
    expect(
      mergeFields(
        stored,
        patch({ ...nulls, message: null, data: null, paused: null, critical: null, dst: null }),
        'UTC',
      ),
    ).toEqual({
      ...current,
      timezone: 'UTC',
      days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      target: null,
      title: 'morning-news',
      message: '',
      data: {},
      paused: false,
      critical: false,
      dst: { gap: 'shift', overlap: 'first' },
    });
  });

  it('replaces days and data whole rather than merging them', () => {
    const merged = mergeFields(stored, patch({ days: ['sun', 'tue'], data: { a: 1 } }), 'UTC');
    expect(merged.days).toEqual(['tue', 'sun']);
    expect(merged.data).toEqual({ a: 1 });
  });

  it('leaves the stored subscription untouched', () => {
    const before = structuredClone(stored);
    const merged = mergeFields(stored, patch({ title: 'New' }), 'UTC');
    (merged.days as string[]).push('sun');
    (merged.data as Record<string, unknown>).extra = true;
    (merged.skipDates as string[]).push('2027-02-02');
    expect(stored).toEqual(before);
  });
});
