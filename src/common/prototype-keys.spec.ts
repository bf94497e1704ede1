import { withoutPrototypeKeys } from './prototype-keys.js';

describe('withoutPrototypeKeys', () => {
  it('takes out __proto__, constructor, prototype and toString at any depth, saying where', () => {
    const parsed = JSON.parse(
      '{"__proto__": {"polluted": 1}, "time": "08:00", "constructor": {"prototype": {"x": 1}},' +
        ' "data": {"a": {"__proto__": 2, "b": 3}, "list": [{"toString": 4}, 5]}, "prototype": 6}',
    );

    const { value, paths } = withoutPrototypeKeys(parsed);

    expect(value).toEqual({ time: '08:00', data: { a: { b: 3 }, list: [{}, 5] } });
    expect(paths).toEqual([
      '__proto__',
      'constructor',
      'data.a.__proto__',
      'data.list[0].toString',
      'prototype',
    ]);
  });

  it('never sets a prototype: neither the copy nor Object.prototype gains the keys', () => {
    const parsed = JSON.parse(
      '{"__proto__": {"polluted": true}, "data": {"__proto__": {"polluted": true}}}',
    );

    const { value } = withoutPrototypeKeys(parsed) as { value: { data: object } };

    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(value.data)).toBe(Object.prototype);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect((value as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(value)).toEqual(['data']);
  });

  it('leaves a body without prototype keys as it was, and scalars alone', () => {
    const body = { time: '08:00', days: ['mon'], data: { nested: { n: 1 }, empty: null } };
    expect(withoutPrototypeKeys(body)).toEqual({ value: body, paths: [] });
    expect(withoutPrototypeKeys(undefined)).toEqual({ value: undefined, paths: [] });
    expect(withoutPrototypeKeys('08:00')).toEqual({ value: '08:00', paths: [] });
  });
});
