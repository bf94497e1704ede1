import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { PatchSubscriptionDto } from './patch-subscription.dto.js';

/** The field names a body is refused for, validated as the app's ValidationPipe does. */
async function refusedFields(body: object): Promise<string[]> {
  const dto = plainToInstance(PatchSubscriptionDto, body);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  return errors.map((error) => error.property).sort();
}

describe('PatchSubscriptionDto', () => {
  it('accepts an empty body', async () => {
    expect(await refusedFields({})).toEqual([]);
  });

  it.each([{ paused: true }, { time: '09:15' }, { channel: 'email' }, { days: ['sat', 'sun'] }])(
    'accepts a single change %j',
    async (body) => {
      expect(await refusedFields(body)).toEqual([]);
    },
  );

  it.each(['title', 'target', 'data', 'timezone', 'days', 'message', 'paused'])(
    'accepts null %s, which restores its default',
    async (field) => {
      expect(await refusedFields({ [field]: null })).toEqual([]);
    },
  );

  it.each(['time', 'channel'])('refuses null %s, which has no default', async (field) => {
    expect(await refusedFields({ [field]: null })).toEqual([field]);
  });

  it.each([
    ['time', { time: '24:00' }],
    ['time', { time: '' }],
    ['channel', { channel: '' }],
    ['timezone', { timezone: 'Mars/Olympus' }],
    ['days', { days: [] }],
    ['days', { days: ['tue', 'tue'] }],
    ['title', { title: 'x'.repeat(201) }],
    ['message', { message: 'x'.repeat(2001) }],
    ['data', { data: ['not', 'an', 'object'] }],
    ['paused', { paused: 'yes' }],
    ['colour', { colour: 'red' }],
  ])('refuses a bad %s, naming it: %j', async (field, body) => {
    expect(await refusedFields(body)).toEqual([field]);
  });
});
