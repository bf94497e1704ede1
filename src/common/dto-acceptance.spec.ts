import 'reflect-metadata';
import { Type as TransformTo } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  Min,
  registerDecorator,
  ValidateBy,
  ValidateNested,
  ValidationArguments,
} from 'class-validator';
import { acceptanceOf } from './dto-acceptance.js';

class Named {
  @IsString() name!: string;
}

class Sized extends Named {
  @IsInt() @Min(1) size!: number;
  @IsOptional() @IsString({ each: true }) colours?: string[];
}

/** A rule whose answer comes later, registered as async. */
function Later(): PropertyDecorator {
  return (object, propertyName) =>
    registerDecorator({
      name: 'later',
      async: true,
      target: object.constructor,
      propertyName: String(propertyName),
      validator: { validate: async () => true },
    });
}

describe('acceptanceOf', () => {
  const accept = acceptanceOf(Sized)!;

  it('builds the DTO of a value every rule accepts, inherited rules included', () => {
    const dto = accept({ name: 'a', size: 2, colours: ['red'] });
    expect(dto).toBeInstanceOf(Sized);
    expect(dto).toEqual(Object.assign(new Sized(), { name: 'a', size: 2, colours: ['red'] }));
    expect(accept(Object.assign(Object.create(null), { name: 'a', size: 1 }))).toBeInstanceOf(
      Sized,
    );
  });

  it.each([
    ['a rule refuses', { name: 'a', size: 0 }],
    ['an inherited rule refuses', { name: 5, size: 1 }],
    ['a required field is missing', { size: 1 }],
    ['an element refuses', { name: 'a', size: 1, colours: ['red', 3] }],
    ['a key has no rule', { name: 'a', size: 1, extra: true }],
    ['a key is a prototype key', JSON.parse('{"name": "a", "size": 1, "__proto__": {}}')],
    ['the array is sparse', { name: 'a', size: 1, colours: Object.assign([], { 1: 'red' }) }],
    ['a value is binary', { name: Buffer.from('a'), size: 1 }],
    ['a nested key is a prototype key', { name: 'a', size: 1, colours: [{ toString: 'x' }] }],
    ['a nested value is not plain', { name: 'a', size: 1, colours: [new Date()] }],
  ])('leaves the value to the ValidationPipe when %s', (_, value) => {
    expect(accept(value)).toBeUndefined();
  });

  it.each([null, undefined, 'a', 3, [], new Date(), new Sized()])(
    'leaves %p to the ValidationPipe: not a plain object',
    (value) => {
      expect(accept(value)).toBeUndefined();
    },
  );

  it('passes each rule its constraints and the DTO it checks', () => {
    const seen: ValidationArguments[] = [];
    class Checked {
      @ValidateBy({
        name: 'seen',
        constraints: [7],
        validator: { validate: (_, args) => Boolean(seen.push(args!)) },
      })
      field!: string;
    }
    const dto = acceptanceOf(Checked)!({ field: 'x' });
    expect(seen).toEqual([
      { targetName: 'Checked', property: 'field', object: dto, value: 'x', constraints: [7] },
    ]);
  });

  it('leaves a value to the ValidationPipe when a rule answers with a promise', () => {
    class Promised {
      @ValidateBy({ name: 'promised', validator: { validate: async () => true } })
      name!: string;
    }
    expect(acceptanceOf(Promised)!({ name: 'a' })).toBeUndefined();
  });

  it('gives no acceptance to a class whose rules it does not run', () => {
    class Grouped {
      @IsString({ groups: ['a'] }) name!: string;
    }
    class Always {
      @IsString({ always: true }) name!: string;
    }
    class Nested {
      @ValidateNested() named!: Named;
    }
    class Transformed {
      @TransformTo(() => Number) @IsInt() size!: number;
    }
    class Async {
      @Later() name!: string;
    }
    class Accessor {
      @IsString() get name(): string {
        return 'a';
      }
    }
    class Bare {
      name!: string;
    }
    const classes = { Grouped, Always, Nested, Transformed, Async, Accessor, Bare, String };
    const accepted = Object.entries(classes).filter(([, metatype]) => acceptanceOf(metatype));
    expect(accepted.map(([name]) => name)).toEqual([]);
  });
});
