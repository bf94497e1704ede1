/**
 * Keys that name a property every object already has (`__proto__`, `constructor`, `toString`,
 * ...), and `prototype`. Assigned to an object they replace its prototype or shadow a method,
 * and class-transformer skips them without a word; a request body may not use them.
 */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  'prototype',
]);

/** Whether an own key of a parsed value is one of those names. */
export function isPrototypeKey(key: string): boolean {
  return PROTOTYPE_KEYS.has(key);
}

export interface WithoutPrototypeKeys {
  /** The value rebuilt from plain arrays and objects, without a prototype key at any depth. */
  readonly value: unknown;
  /** Where each prototype key was, as a path: `__proto__`, `data.constructor`, `days[0].x`. */
  readonly paths: string[];
}

/**
 * A JSON value without its prototype keys, and where they were. The value must come straight
 * from `JSON.parse`, which makes `"__proto__"` an own property and never sets a prototype; the
 * copy is built with `Object.fromEntries`, which defines properties and never sets one either.
 */
export function withoutPrototypeKeys(value: unknown): WithoutPrototypeKeys {
  const paths: string[] = [];
  return { value: rebuild(value, '', paths), paths };
}

function rebuild(value: unknown, path: string, paths: string[]): unknown {
  if (Array.isArray(value)) return value.map((item, i) => rebuild(item, `${path}[${i}]`, paths));
  if (typeof value !== 'object' || value === null) return value;
  const kept: [string, unknown][] = [];
  for (const [key, item] of Object.entries(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (isPrototypeKey(key)) paths.push(at);
    else kept.push([key, rebuild(item, at, paths)]);
  }
  return Object.fromEntries(kept);
}
