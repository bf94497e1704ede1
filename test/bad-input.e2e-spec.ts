import { Redis } from 'ioredis';
import { API_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import { HttpAnswer, request } from './support/http.js';
import { farFromNow, snapshotOutsideTicks } from './support/redis-snapshot.js';
import { RedisKeys } from '../src/store/redis-keys.js';

/** Hooks start or stop whole processes: more than jest's default 5 s on a busy machine. */
const HOOK_TIMEOUT_MS = 30_000;

const SEEDED = '/subscriptions/seed-user/seed-tag';
const FRESH = '/subscriptions/fresh-user/fresh-tag';
const SEED_BODY = {
  time: farFromNow(),
  timezone: 'UTC',
  days: ['mon', 'fri'],
  channel: 'webhook',
  target: 'https://example.com/hooks/chime',
  title: 'Seed',
  data: { edition: 'eu' },
};
const VALID = { time: '08:00', channel: 'log' };
const LONG_ID = 'a'.repeat(129);

interface BadInput {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly contentType?: string;
  /** Every field the 400's `message` must name. */
  readonly fields: string[];
  /** Words the 400's `message` must say, besides naming the fields. */
  readonly says?: string[];
}

const put = (name: string, body: unknown, fields: string[], path = FRESH): BadInput => ({
  name: `PUT ${name}`,
  method: 'PUT',
  path,
  body,
  fields,
});

const patch = (name: string, body: unknown, fields: string[]): BadInput => ({
  name: `PATCH ${name}`,
  method: 'PATCH',
  path: SEEDED,
  body,
  fields,
});

const raw = (name: string, method: string, rawBody: string, fields: string[]): BadInput => ({
  name: `${method} ${name}`,
  method,
  path: FRESH,
  rawBody,
  contentType: 'application/json',
  fields,
});

/** A prototype key is an unknown key, and the answer says so (not "not valid JSON"). */
const unknownKey = (input: BadInput, ...keys: string[]): BadInput => ({
  ...input,
  fields: [...keys, ...input.fields],
  says: keys.map((key) => `property ${key} should not exist`),
});

const rawPatch = (name: string, rawBody: string, fields: string[]): BadInput => ({
  ...raw(name, 'PATCH', rawBody, fields),
  path: SEEDED,
});

const ALL_AT_ONCE: BadInput[] = [
  {
    ...put('an empty object', {}, ['time', 'channel']),
    says: ['time is required', 'channel is required'],
  },
  put(
    'a bad time, an unknown channel and an unknown field',
    { time: '99:99', channel: 'pigeon', colour: 'red' },
    ['time', 'channel', 'colour'],
  ),
  put('a bad time and a bad webhook target', { time: '7', channel: 'webhook', target: 'ftp://x' }, [
    'time',
    'target',
  ]),
  put(
    'a bad timezone and a target for the log channel',
    { ...VALID, timezone: 'IST', target: 'x' },
    ['timezone', 'target'],
  ),
  patch(
    'a bad time, an unknown channel and an unknown field',
    { time: '25:00', channel: 'pigeon', colour: 1 },
    ['time', 'channel', 'colour'],
  ),
  unknownKey(
    raw(
      '__proto__',
      'PUT',
      '{"__proto__": {"paused": true}, "time": "08:00", "channel": "log"}',
      [],
    ),
    '__proto__',
  ),
  unknownKey(
    raw('constructor', 'PUT', '{"constructor": "x", "time": "08:00", "channel": "log"}', []),
    'constructor',
  ),
  unknownKey(
    raw(
      'constructor.prototype',
      'PUT',
      '{"constructor": {"prototype": {"paused": true}}, "time": "08:00", "channel": "log"}',
      [],
    ),
    'constructor',
  ),
  unknownKey(
    raw(
      'toString and prototype',
      'PUT',
      '{"toString": 1, "prototype": 2, "time": "08:00", "channel": "log"}',
      [],
    ),
    'toString',
    'prototype',
  ),
  unknownKey(
    raw(
      '__proto__ inside data',
      'PUT',
      '{"time": "08:00", "channel": "log", "data": {"__proto__": {"a": 1}}}',
      ['data'],
    ),
    'data.__proto__',
  ),
  unknownKey(
    raw(
      'constructor inside data',
      'PUT',
      '{"time": "08:00", "channel": "log", "data": {"constructor": 1}}',
      ['data'],
    ),
    'data.constructor',
  ),
  unknownKey(
    raw('__proto__ with a bad time and no channel', 'PUT', '{"__proto__": {}, "time": "24:00"}', [
      'time',
      'channel',
    ]),
    '__proto__',
  ),
  unknownKey(
    rawPatch('__proto__ on the seeded subscription', '{"__proto__": {"paused": true}}', []),
    '__proto__',
  ),
  unknownKey(
    rawPatch('constructor and a bad days', '{"constructor": {"prototype": {}}, "days": []}', [
      'days',
    ]),
    'constructor',
  ),
];

const BAD_FIELDS: BadInput[] = [
  ...ALL_AT_ONCE,
  put('time "24:00"', { ...VALID, time: '24:00' }, ['time']),
  put('time "8:00"', { ...VALID, time: '8:00' }, ['time']),
  put('time "08:60"', { ...VALID, time: '08:60' }, ['time']),
  put('time as the number 800', { ...VALID, time: 800 }, ['time']),
  put('time as an empty string', { ...VALID, time: '' }, ['time']),
  put('a missing time', { channel: 'log' }, ['time']),
  put('a missing channel', { time: '08:00' }, ['channel']),
  put('an unknown channel', { ...VALID, channel: 'pigeon' }, ['channel']),
  put('an unknown field', { ...VALID, colour: 'red' }, ['colour']),
  put('timezone "Mars/Base"', { ...VALID, timezone: 'Mars/Base' }, ['timezone']),
  put('timezone as the number 5', { ...VALID, timezone: 5 }, ['timezone']),
  put('days with a repeat', { ...VALID, days: ['mon', 'mon'] }, ['days']),
  put('days empty', { ...VALID, days: [] }, ['days']),
  put('days with "funday"', { ...VALID, days: ['funday'] }, ['days']),
  put('days as a string', { ...VALID, days: 'mon' }, ['days']),
  put('a title of 201 characters', { ...VALID, title: 't'.repeat(201) }, ['title']),
  put('a message of 2001 characters', { ...VALID, message: 'm'.repeat(2001) }, ['message']),
  put('data as an array', { ...VALID, data: [1, 2] }, ['data']),
  put('data as a string', { ...VALID, data: 'hello' }, ['data']),
  put('data over 4 KiB', { ...VALID, data: { blob: 'x'.repeat(4100) } }, ['data']),
  put('paused "yes"', { ...VALID, paused: 'yes' }, ['paused']),
  put('a target for the log channel', { ...VALID, target: 'somewhere' }, ['target']),
  put('a missing target for the email channel', { time: '08:00', channel: 'email' }, ['target']),
  put('a bad email address', { time: '08:00', channel: 'email', target: 'not-an-email' }, [
    'target',
  ]),
  put('webhook target ftp://x', { time: '08:00', channel: 'webhook', target: 'ftp://x' }, [
    'target',
  ]),
  put('webhook target that is not a URL', { ...VALID, channel: 'webhook', target: 'no url' }, [
    'target',
  ]),
  put('webhook target as an empty string', { ...VALID, channel: 'webhook', target: '' }, [
    'target',
  ]),
  put(
    'several bad fields at once',
    { time: '99:99', timezone: 'Nope/Zone', days: ['mon', 'xyz'], channel: 'log' },
    ['time', 'timezone', 'days'],
  ),
  put('no body at all', undefined, ['time', 'channel']),
  put('a userId with "|"', VALID, ['userId'], '/subscriptions/bad%7Cuser/fresh-tag'),
  put('a userId with a space', VALID, ['userId'], '/subscriptions/bad%20user/fresh-tag'),
  put('a userId of 129 characters', VALID, ['userId'], `/subscriptions/${LONG_ID}/fresh-tag`),
  put('a tag of 129 characters', VALID, ['tag'], `/subscriptions/fresh-user/${LONG_ID}`),
  put('a tag with "|"', VALID, ['tag'], '/subscriptions/fresh-user/bad%7Ctag'),
  put(
    'a bad timezone replacing the seeded subscription',
    { ...VALID, timezone: 'Mars/Base' },
    ['timezone'],
    SEEDED,
  ),
  put(
    'a bad email replacing the seeded subscription',
    { time: '08:00', channel: 'email', target: 'nope' },
    ['target'],
    SEEDED,
  ),
  raw('invalid JSON', 'PUT', '{"time": "08:00",', ['body']),
  raw('a JSON array body', 'PUT', JSON.stringify([VALID]), ['body']),
  raw('a JSON null body', 'PUT', 'null', ['body']),
  raw('a JSON string body', 'PUT', '"08:00"', ['body']),
  patch('{}', {}, ['body']),
  patch('{"time": null}', { time: null }, ['time']),
  patch('{"channel": null}', { channel: null }, ['channel']),
  patch('an unknown field', { colour: 'red' }, ['colour']),
  patch('time "25:00"', { time: '25:00' }, ['time']),
  patch('days with "noday"', { days: ['mon', 'noday'] }, ['days']),
  patch('a title of 201 characters', { title: 't'.repeat(201) }, ['title']),
  patch('to the log channel while a target is set', { channel: 'log' }, ['target']),
  patch('target null on a webhook subscription', { target: null }, ['target']),
  patch('a webhook target ftp://x', { target: 'ftp://x' }, ['target']),
  { ...raw('a JSON array body', 'PATCH', '[]', ['body']), path: SEEDED },
  {
    name: 'GET list, a userId with "|"',
    method: 'GET',
    path: '/subscriptions/a%7Cb',
    fields: ['userId'],
  },
  {
    name: 'GET one, a tag with a space',
    method: 'GET',
    path: '/subscriptions/seed-user/a%20b',
    fields: ['tag'],
  },
  {
    name: 'DELETE one, a userId with "|"',
    method: 'DELETE',
    path: '/subscriptions/seed%7Cuser/seed-tag',
    fields: ['userId'],
  },
  {
    name: 'DELETE user, a userId of 129 characters',
    method: 'DELETE',
    path: `/subscriptions/${LONG_ID}`,
    fields: ['userId'],
  },
];

interface BadMedia {
  readonly name: string;
  readonly method: string;
  readonly rawBody: string;
  readonly contentType: string;
  readonly status: number;
  readonly error: string;
}

const OVERSIZED = JSON.stringify({ ...VALID, data: { blob: 'x'.repeat(17 * 1024) } });

const BAD_MEDIA: BadMedia[] = [
  {
    name: 'PUT a body over 16 KiB',
    method: 'PUT',
    rawBody: OVERSIZED,
    contentType: 'application/json',
    status: 413,
    error: 'Payload Too Large',
  },
  {
    name: 'PATCH a body over 16 KiB',
    method: 'PATCH',
    rawBody: OVERSIZED,
    contentType: 'application/json',
    status: 413,
    error: 'Payload Too Large',
  },
  {
    name: 'PUT a text/plain body',
    method: 'PUT',
    rawBody: 'time=08:00 channel=log',
    contentType: 'text/plain',
    status: 415,
    error: 'Unsupported Media Type',
  },
  {
    name: 'PUT a form-urlencoded body',
    method: 'PUT',
    rawBody: 'time=08%3A00&channel=log',
    contentType: 'application/x-www-form-urlencoded',
    status: 415,
    error: 'Unsupported Media Type',
  },
  {
    name: 'PATCH a text/plain body',
    method: 'PATCH',
    rawBody: '{"paused": true}',
    contentType: 'text/plain',
    status: 415,
    error: 'Unsupported Media Type',
  },
];

/** The answer's `message`, as one string whatever its shape. */
function messageOf(answer: HttpAnswer): string {
  const message = answer.body?.message;
  return Array.isArray(message) ? message.join('\n') : String(message);
}

const names = (field: string) => new RegExp(`\\b${field}\\b`, 'i');

describe('bad input', () => {
  let chime: ChimeProcess;
  let redis: Redis;
  let before: Record<string, unknown>;

  beforeAll(async () => {
    chime = await startChime();
    redis = new Redis(chime.redisUrl);
    const seeded = await request(chime.baseUrl, 'PUT', SEEDED, {
      token: API_TOKEN,
      body: SEED_BODY,
    });
    expect(seeded.status).toBe(201);
    before = await snapshotOutsideTicks(redis, chime.keyPrefix);
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    redis.disconnect();
    await chime.stop();
  }, HOOK_TIMEOUT_MS);

  it.each(BAD_FIELDS.map((input) => ({ ...input, named: input.fields.join(', ') })))(
    'answers $name: 400 naming $named, Redis unchanged',
    async ({ method, path, body, rawBody, contentType, fields, says = [] }) => {
      const answer = await request(chime.baseUrl, method, path, {
        token: API_TOKEN,
        body,
        rawBody,
        contentType,
      });

      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      for (const field of fields) expect(messageOf(answer)).toMatch(names(field));
      for (const words of says) expect(messageOf(answer)).toContain(words);
      expect(await snapshotOutsideTicks(redis, chime.keyPrefix)).toEqual(before);
    },
  );

  it.each(BAD_MEDIA)(
    'answers $name: $status $error, Redis unchanged',
    async ({ method, rawBody, contentType, status, error }) => {
      const path = method === 'PUT' ? FRESH : SEEDED;
      const answer = await request(chime.baseUrl, method, path, {
        token: API_TOKEN,
        rawBody,
        contentType,
      });

      expect(answer.status).toBe(status);
      expect(answer.body).toMatchObject({ statusCode: status, error });
      expect(await snapshotOutsideTicks(redis, chime.keyPrefix)).toEqual(before);
    },
  );

  it('leaves Redis exactly as it was after every bad input above', async () => {
    expect(Object.keys(before)).toContain(
      RedisKeys.forPrefix(chime.keyPrefix).userSubscriptions('seed-user'),
    );
    expect(await snapshotOutsideTicks(redis, chime.keyPrefix)).toEqual(before);
    const seeded = await request(chime.baseUrl, 'GET', SEEDED, { token: API_TOKEN });
    expect(seeded.body).toMatchObject(SEED_BODY);
  });
});

describe('webhook targets with WEBHOOK_ALLOW_PRIVATE=false', () => {
  let chime: ChimeProcess;
  let redis: Redis;

  beforeAll(async () => {
    chime = await startChime({ WEBHOOK_ALLOW_PRIVATE: 'false' });
    redis = new Redis(chime.redisUrl);
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    redis.disconnect();
    await chime.stop();
  }, HOOK_TIMEOUT_MS);

  it.each([
    'http://127.0.0.1:9/x',
    'http://localhost:9/x',
    'http://[::1]:9/x',
    'http://10.1.2.3/x',
    'http://192.168.0.1/x',
    'http://169.254.169.254/latest',
  ])('refuses the private target %s with 400 naming target, changing nothing', async (target) => {
    const before = await snapshotOutsideTicks(redis, chime.keyPrefix);

    const answer = await request(chime.baseUrl, 'PUT', FRESH, {
      token: API_TOKEN,
      body: { time: '08:00', channel: 'webhook', target },
    });

    expect(answer.status).toBe(400);
    expect(messageOf(answer)).toMatch(names('target'));
    expect(await snapshotOutsideTicks(redis, chime.keyPrefix)).toEqual(before);
  });
});
