import { BadRequestException } from '@nestjs/common';
import { IsObject, IsOptional, IsString } from 'class-validator';
import { BodyCheck, BodyValidationPipe } from './body-validation.pipe.js';

class Body {
  @IsString() name!: string;
  @IsString() colour!: string;
}

class WithData {
  @IsString() name!: string;
  @IsOptional() @IsObject() data?: object;
}

/** What the pipe answers for a raw JSON body: the DTO, or the 400's messages. */
async function answer(
  json: string,
  checks: BodyCheck[] = [],
  metatype: new () => object = Body,
): Promise<unknown> {
  const pipe = new BodyValidationPipe(checks);
  try {
    return await pipe.transform(JSON.parse(json), { type: 'body', metatype });
  } catch (error) {
    if (!(error instanceof BadRequestException)) throw error;
    return (error.getResponse() as { message: string[] }).message;
  }
}

describe('BodyValidationPipe', () => {
  it('answers a valid body as its DTO', async () => {
    const dto = await answer('{"name": "a", "colour": "red"}');
    expect(dto).toBeInstanceOf(Body);
    expect(dto).toEqual(Object.assign(new Body(), { name: 'a', colour: 'red' }));
  });

  it('names __proto__ and constructor as unknown keys, never as a prototype', async () => {
    const messages = await answer(
      '{"__proto__": {"name": "x"}, "constructor": {"prototype": {}}, "name": "a", "colour": "b"}',
    );
    expect(messages).toEqual([
      'property __proto__ should not exist',
      'property constructor should not exist',
    ]);
    expect(({} as { name?: string }).name).toBeUndefined();
  });

  it('names prototype keys, invalid, missing and unknown fields, all in one answer', async () => {
    const messages = await answer('{"__proto__": 1, "name": 5, "size": 3}');
    expect(messages).toEqual([
      'property __proto__ should not exist',
      'property size should not exist',
      'name must be a string',
      'colour must be a string',
    ]);
  });

  it('adds what its checks find once there is a problem, and asks them nothing otherwise', async () => {
    const seen: unknown[] = [];
    const check: BodyCheck = async (body, dto) => {
      seen.push([body, dto]);
      return ['colour must be a registered colour'];
    };
    expect(await answer('{"name": 5, "colour": "mauve"}', [check])).toEqual([
      'name must be a string',
      'colour must be a registered colour',
    ]);
    expect(seen).toEqual([[{ name: 5, colour: 'mauve' }, Body]]);
    expect(await answer('{"name": "a", "colour": "mauve"}', [check])).toBeInstanceOf(Body);
    expect(seen).toHaveLength(1);
  });

  it('names a prototype key deep inside a body its rules would otherwise accept', async () => {
    const json = '{"name": "a", "data": {"list": [{"constructor": 1}]}}';
    expect(await answer(json, [], WithData)).toEqual([
      'property data.list[0].constructor should not exist',
    ]);
    expect(await answer('{"name": "a", "data": {"list": [{}]}}', [], WithData)).toEqual(
      Object.assign(new WithData(), { name: 'a', data: { list: [{}] } }),
    );
  });

  it('validates params and queries as the plain ValidationPipe does', async () => {
    const pipe = new BodyValidationPipe();
    expect(
      await pipe.transform({ name: 'a', colour: 'b' }, { type: 'query', metatype: Body }),
    ).toEqual(Object.assign(new Body(), { name: 'a', colour: 'b' }));
    await expect(pipe.transform({ name: 5 }, { type: 'query', metatype: Body })).rejects.toThrow(
      BadRequestException,
    );
  });
});
