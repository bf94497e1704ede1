import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { PutSubscriptionDto } from './put-subscription.dto.js';

/** The field names a body is refused for, validated as the app's ValidationPipe does. */
async function refusedFields(body: object): Promise<string[]> {
  const dto = plainToInstance(PutSubscriptionDto, body);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  return errors.map((error) => error.property).sort();
}

/** `count` dates from 2027-01-01 on, one a day. */
function consecutiveDates(count: number): string[] {
  const first = Date.UTC(2027, 0, 1);
  return Array.from({ length: count }, (_, day) =>
    new Date(first + day * 86_400_000).toISOString().slice(0, 10),
  );
}

const minimal = { time: '08:00', channel: 'log' };

describe('PutSubscriptionDto', () => {
  it('accepts the minimal body: a time and a channel', async () => {
    expect(await refusedFields(minimal)).toEqual([]);
  });

  it('accepts a body with every field', async () => {
    const body = {
      time: '23:59',
      timezone: 'Asia/Shanghai',
      days: ['mon', 'wed', 'fri'],
      channel: 'webhook',
      target: 'https://example.com/hook',
      title: 't'.repeat(200),
      message: 'm'.repeat(2000),
      data: { edition: 'asia', nested: { n: 1 } },
      paused: true,
      critical: true,
      maxLatenessMinutes: 1440,
      skipDates: ['2026-12-25', '2028-02-29'],
      dst: { gap: 'skip', overlap: 'last' },
    };
    expect(await refusedFields(body)).toEqual([]);
  });

  it('accepts null for every optional field (null means the default)', async () => {
    const nulls = { timezone: null, days: null, target: null, title: null };
    expect(await refusedFields({ ...minimal, ...nulls, message: null, data: null })).toEqual([]);
    expect(await refusedFields({ ...minimal, paused: null })).toEqual([]);
    const rules = { critical: null, maxLatenessMinutes: null, skipDates: null, dst: null };
    expect(await refusedFields({ ...minimal, ...rules })).toEqual([]);
  });

  it('accepts a dst choice that states one part only', async () => {
    expect(await refusedFields({ ...minimal, dst: { gap: 'skip' } })).toEqual([]);
    expect(await refusedFields({ ...minimal, dst: {} })).toEqual([]);
  });

  it.each([
    ['critical', { critical: 'yes' }],
    ['maxLatenessMinutes', { maxLatenessMinutes: 0 }],
    ['maxLatenessMinutes', { maxLatenessMinutes: 1441 }],
    ['maxLatenessMinutes', { maxLatenessMinutes: 1.5 }],
    ['maxLatenessMinutes', { maxLatenessMinutes: '30' }],
    ['skipDates', { skipDates: '2026-12-25' }],
    ['skipDates', { skipDates: ['2026-02-30'] }],
    ['skipDates', { skipDates: ['2026-12-25', '2026-12-25'] }],
    ['skipDates', { skipDates: ['25/12/2026'] }],
    ['skipDates', { skipDates: consecutiveDates(367) }],
    ['dst', { dst: { gap: 'later' } }],
    ['dst', { dst: { overlap: 'second' } }],
    ['dst', { dst: { gap: 'skip', when: 'always' } }],
    ['dst', { dst: 'skip' }],
  ])('refuses %s in %j', async (field, change) => {
    expect(await refusedFields({ ...minimal, ...change })).toEqual([field]);
  });

  it('accepts data of exactly 4 KiB serialised', async () => {
    const data = { x: 'a'.repeat(4096 - '{"x":""}'.length) };
    expect(await refusedFields({ ...minimal, data })).toEqual([]);
  });

  it.each([
    ['time', { time: undefined }],
    ['time', { time: null }],
    ['time', { time: '24:00' }],
    ['time', { time: '8:00' }],
    ['time', { time: '08:60' }],
    ['time', { time: 800 }],
    ['timezone', { timezone: 'Mars/Olympus' }],
    ['timezone', { timezone: '' }],
    ['timezone', { timezone: 8 }],
    ['timezone', { timezone: 'IST' }],
    ['timezone', { timezone: 'SystemV/AST4' }],
    ['timezone', { timezone: 'Factory' }],
    ['timezone', { timezone: '+05:00' }],
    ['days', { days: [] }],
    ['days', { days: ['mon', 'mon'] }],
    ['days', { days: ['monday'] }],
    ['days', { days: 'mon' }],
    ['channel', { channel: undefined }],
    ['channel', { channel: null }],
    ['channel', { channel: '' }],
    ['channel', { channel: 5 }],
    ['target', { target: '' }],
    ['target', { target: 42 }],
    ['title', { title: 't'.repeat(201) }],
    ['title', { title: 5 }],
    ['message', { message: 'm'.repeat(2001) }],
    ['message', { message: false }],
    ['data', { data: [] }],
    ['data', { data: 'text' }],
    ['data', { data: { x: 'a'.repeat(4096) } }],
    ['paused', { paused: 'true' }],
    ['paused', { paused: 1 }],
    ['colour', { colour: 'red' }],
  ])('refuses a bad %s, naming it: %j', async (field, change) => {
    expect(await refusedFields({ ...minimal, ...change })).toEqual([field]);
  });

  it('names every offending field at once', async () => {
    const body = { time: '25:00', timezone: 'Nowhere/City', days: ['xyz'], channel: '' };
    expect(await refusedFields({ ...body, title: 1, message: 2, data: 3, paused: 4 })).toEqual([
      'channel',
      'data',
      'days',
      'message',
      'paused',
      'time',
      'timezone',
      'title',
    ]);
  });

  it('names every required field of an empty body, saying it is required', async () => {
    const errors = await validate(plainToInstance(PutSubscriptionDto, {}));
    expect(errors.map((error) => error.property).sort()).toEqual(['channel', 'time']);
    const messages = errors.flatMap((error) => Object.values(error.constraints ?? {}));
    expect(messages).toEqual(expect.arrayContaining(['time is required', 'channel is required']));
  });

  it('says in its message what a valid time looks like', async () => {
    const dto = plainToInstance(PutSubscriptionDto, { ...minimal, time: '8:00' });
    const [error] = await validate(dto);
    expect(Object.values(error.constraints ?? {})).toContain(
      'time must be a time "HH:MM" from 00:00 to 23:59',
    );
  });
});
