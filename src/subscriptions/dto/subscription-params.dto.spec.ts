import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { SubscriptionParams, UserParams } from './subscription-params.dto.js';

async function refusedFields(params: object): Promise<string[]> {
  const dto = plainToInstance(SubscriptionParams, params);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  return errors.map((error) => error.property).sort();
}

describe('SubscriptionParams', () => {
  it.each(['a.b:c@d+e-f_1', 'A', 'user-42', 'x'.repeat(128)])('accepts %j', async (id) => {
    expect(await refusedFields({ userId: id, tag: id })).toEqual([]);
  });

  it.each(['a|b', 'a b', ' ', '', 'x'.repeat(129), 'a/b', 'é', 'a\nb'])(
    'refuses %j as userId and as tag',
    async (id) => {
      expect(await refusedFields({ userId: id, tag: 'ok' })).toEqual(['userId']);
      expect(await refusedFields({ userId: 'ok', tag: id })).toEqual(['tag']);
    },
  );

  it('refuses a missing tag', async () => {
    expect(await refusedFields({ userId: 'ok' })).toEqual(['tag']);
  });
});

describe('UserParams', () => {
  it('accepts a valid userId and refuses one with a "|"', async () => {
    const check = (userId: string) =>
      validate(plainToInstance(UserParams, { userId }), { forbidNonWhitelisted: true });
    expect(await check('a.b:c@d+e-f_1')).toHaveLength(0);
    expect((await check('a|b')).map((error) => error.property)).toEqual(['userId']);
  });
});
