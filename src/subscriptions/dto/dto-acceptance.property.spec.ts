import 'reflect-metadata';
import { BadRequestException, Type, ValidationPipe } from '@nestjs/common';
import fc from 'fast-check';
import { acceptanceOf } from '../../common/dto-acceptance.js';
import { withoutPrototypeKeys } from '../../common/prototype-keys.js';
import { PatchSubscriptionDto } from './patch-subscription.dto.js';
import { PutSubscriptionDto } from './put-subscription.dto.js';
import { SubscriptionParams } from './subscription-params.dto.js';

const pipe = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });

/** The value as a request brings it: parsed from JSON. */
const copy = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** What the ValidationPipe makes of a value: the DTO, or 'refused'. */
async function piped(metatype: Type, value: unknown): Promise<unknown> {
  try {
    return await pipe.transform(copy(value), { type: 'body', metatype });
  } catch (error) {
    if (error instanceof BadRequestException) return 'refused';
    throw error;
  }
}

const anything = fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.boolean(), fc.object());
const either = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: anything });

const hhmm = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`),
  fc.constantFrom('24:00', '7:00', '08:60', ''),
);
const days = fc.oneof(
  fc.subarray(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']),
  fc.array(fc.constantFrom('mon', 'sun', 'Mon', 'x')),
);
const text = (max: number) =>
  fc.oneof(fc.string({ maxLength: 8 }), fc.string({ minLength: max + 1, maxLength: max + 2 }));

const fields = {
  time: either(hhmm),
  timezone: either(fc.constantFrom('UTC', 'Asia/Kolkata', 'US/Eastern', 'Mars/Olympus', 'utc')),
  days: either(days),
  channel: either(fc.constantFrom('webhook', 'email', 'log', '')),
  target: either(fc.constantFrom('https://example.com/h', '', 'a@b.c')),
  title: either(text(200)),
  message: either(text(2000)),
  data: either(fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.array(fc.string()))),
  paused: either(fc.boolean()),
  critical: either(fc.boolean()),
  maxLatenessMinutes: either(fc.oneof(fc.integer({ min: -1, max: 1441 }), fc.double())),
  skipDates: either(fc.array(fc.constantFrom('2026-12-25', '2026-02-30', '2026-1-1', 'x'))),
  dst: either(
    fc.oneof(
      fc.record({ gap: fc.constantFrom('shift', 'skip', 'x') }, { requiredKeys: [] }),
      fc.record(
        { overlap: fc.constantFrom('first', 'last'), other: fc.boolean() },
        { requiredKeys: [] },
      ),
    ),
  ),
};
const validFields = {
  time: hhmm.filter((time) => /^([01]\d|2[0-3]):[0-5]\d$/.test(time)),
  timezone: fc.constantFrom('UTC', 'Asia/Kolkata', 'US/Eastern', null),
  days: fc.subarray(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], { minLength: 1 }),
  channel: fc.constantFrom('webhook', 'email', 'log'),
  title: fc.oneof(fc.string({ maxLength: 8 }), fc.constant(null)),
  data: fc.dictionary(fc.string(), fc.string()),
  paused: fc.boolean(),
  maxLatenessMinutes: fc.integer({ min: 1, max: 1440 }),
  skipDates: fc.subarray(['2026-12-25', '2027-01-01']),
  dst: fc.constantFrom({}, { gap: 'skip' }, { overlap: 'last' }),
};
const body = fc
  .tuple(
    fc.oneof(
      fc.record(fields, { requiredKeys: [] }),
      fc.record(validFields, { requiredKeys: ['time', 'channel'] }),
    ),
    fc.option(fc.constantFrom('extra', 'userId', 'id'), { nil: undefined, freq: 2 }),
  )
  .map(([value, unknown]) => (unknown === undefined ? value : { ...value, [unknown]: 1 }));
const id = either(fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.:@+-]{1,8}$/), fc.string()));
const params = fc.record({ userId: id, tag: id }, { requiredKeys: [] });

describe.each([
  ['PutSubscriptionDto', PutSubscriptionDto, body],
  ['PatchSubscriptionDto', PatchSubscriptionDto, body],
  ['SubscriptionParams', SubscriptionParams, params],
] as const)('acceptanceOf(%s)', (_, metatype, values) => {
  const accept = acceptanceOf(metatype)!;

  it('accepts exactly what the ValidationPipe accepts, as the same DTO', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(values, async (value) => {
        const dto = accept(copy(value));
        const fromPipe = await piped(metatype, value);
        if (fromPipe === 'refused') {
          expect(dto).toBeUndefined();
        } else if (withoutPrototypeKeys(value).paths.length > 0) {
          // BodyValidationPipe refuses these before; the ValidationPipe drops the keys.
          expect(dto).toBeUndefined();
        } else {
          expect(dto).toBeInstanceOf(metatype);
          expect(dto).toStrictEqual(fromPipe);
          accepted += 1;
        }
      }),
      { numRuns: 400 },
    );
    expect(accepted).toBeGreaterThan(40);
  });
});

it('accepts a whole valid PUT body', () => {
  const value = {
    time: '08:00',
    timezone: 'Asia/Kolkata',
    days: ['mon', 'fri'],
    channel: 'webhook',
    target: 'https://example.com/hooks/chime',
    title: 'News',
    message: 'Ready',
    data: { edition: 'asia' },
    paused: false,
    critical: null,
    maxLatenessMinutes: 90,
    skipDates: ['2026-12-25'],
    dst: { gap: 'skip' },
  };
  expect(acceptanceOf(PutSubscriptionDto)!(value)).toEqual(
    Object.assign(new PutSubscriptionDto(), value),
  );
});
