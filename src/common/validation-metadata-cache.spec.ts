import { IsInt, IsOptional, IsString, Min, validate, ValidatorOptions } from 'class-validator';
import { cacheValidationMetadata } from './validation-metadata-cache.js';

class Named {
  @IsString() name!: string;
}

class Sized extends Named {
  @IsInt() @Min(1) size!: number;
  @IsOptional() @IsString() colour?: string;
}

const OPTIONS: ValidatorOptions = { whitelist: true, forbidNonWhitelisted: true };

/** Each bad object's errors as the pipe reads them: property and constraints. */
async function errorsOf(objects: object[], options = OPTIONS): Promise<unknown[]> {
  const all = await Promise.all(objects.map((object) => validate(object, options)));
  return all.map((errors) =>
    errors.map(({ property, constraints }) => ({ property, constraints })),
  );
}

const bad = () => [
  Object.assign(new Sized(), { name: 5, size: 0, extra: true }),
  Object.assign(new Sized(), { name: 'a', size: 2, colour: 3 }),
  Object.assign(new Sized(), {}),
  Object.assign(new Named(), { name: 'a', size: 2 }),
];

describe('cacheValidationMetadata', () => {
  it('finds the same errors, inherited rules included, as the lookup it keeps', async () => {
    const before = await errorsOf(bad());
    const groupsBefore = await errorsOf(bad(), { ...OPTIONS, groups: ['a'] });
    cacheValidationMetadata();
    expect(await errorsOf(bad())).toEqual(before);
    expect(await errorsOf(bad())).toEqual(before);
    expect(await errorsOf(bad(), { ...OPTIONS, groups: ['a'] })).toEqual(groupsBefore);
    expect(before.flat()).toHaveLength(7);
  });

  it('sees the rules of a class declared after it began to keep answers', async () => {
    cacheValidationMetadata();
    await errorsOf(bad());
    class Later extends Sized {
      @IsString() later!: string;
    }
    const errors = await errorsOf([Object.assign(new Later(), { name: 'a', size: 1, later: 1 })]);
    expect(errors).toEqual([
      [{ property: 'later', constraints: { isString: expect.any(String) } }],
    ]);
  });
});
