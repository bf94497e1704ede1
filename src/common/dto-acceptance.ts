import { createRequire } from 'node:module';
import { Type } from '@nestjs/common';
import { getMetadataStorage, ValidationArguments, ValidationTypes } from 'class-validator';
import { isPrototypeKey } from './prototype-keys.js';

type Storage = ReturnType<typeof getMetadataStorage>;
type ValidationMetadata = ReturnType<Storage['getTargetValidationMetadatas']>[number];

/**
 * The DTO a value becomes when every rule of its class accepts it, or `undefined` when one
 * does not or the class has a rule this does not run: the ValidationPipe then runs as usual
 * and answers its messages.
 */
export type DtoAcceptance = (value: unknown) => object | undefined;

interface Check {
  readonly metadata: ValidationMetadata;
  readonly validate: (value: unknown, args: ValidationArguments) => unknown;
}

interface PropertyRules {
  readonly property: string;
  readonly conditions: ValidationMetadata[];
  readonly checks: Check[];
}

/** The part of class-transformer's registry that says whether a class changes a value. */
interface TransformerStorage {
  findTypeMetadata(target: Type, property: string): unknown;
  findTransformMetadatas(target: Type, property: string, direction: number): unknown[];
  findExposeMetadata(target: Type, property: string): unknown;
  findExcludeMetadata(target: Type, property: string): unknown;
  getExposedMetadatas(target: Type): unknown[];
  getExcludedMetadatas(target: Type): unknown[];
  getStrategy(target: Type): string;
}

// The registry the decorators and the ValidationPipe's plainToInstance share; class-transformer
// keeps it out of its index.
const transformerStorage = createRequire(import.meta.url)('class-transformer/cjs/storage.js')
  .defaultMetadataStorage as TransformerStorage;
const PLAIN_TO_CLASS = 0;
const RUN_AS_RULES = new Set<string>([
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.IS_DEFINED,
  ValidationTypes.CONDITIONAL_VALIDATION,
  ValidationTypes.WHITELIST,
]);

const acceptances = new Map<Type, DtoAcceptance | null>();

/**
 * The ValidationPipe's work for a value its DTO accepts, without its per-call cost (about a
 * sixth of a PUT's CPU in bench:api's profile): class-transformer's copy and class-validator's
 * executor, which build a ValidationError per property before finding there is none. The
 * same rules of the same class run, on the same instance: `new Dto()` with the value's keys,
 * as plainToInstance builds it for a class without class-transformer decorators. Only a plain
 * object whose every key has a rule is accepted here (the whitelist refuses the others), with
 * no prototype key at any depth, so a raw JSON body is safe to hand it. A class with groups,
 * `always`, nested or async rules or class-transformer decorators gets no acceptance.
 * Decorators run when a class is defined, before any request, so each class is read once.
 */
export function acceptanceOf(metatype: Type): DtoAcceptance | undefined {
  let acceptance = acceptances.get(metatype);
  if (acceptance === undefined) {
    acceptance = compile(metatype) ?? null;
    acceptances.set(metatype, acceptance);
  }
  return acceptance ?? undefined;
}

function compile(metatype: Type): DtoAcceptance | undefined {
  const storage = getMetadataStorage();
  const metadatas = storage.getTargetValidationMetadatas(
    metatype,
    undefined as unknown as string,
    false,
    false,
    undefined,
  );
  if (metadatas.length === 0 || !metadatas.every(isRunHere) || transformsClass(metatype)) {
    return undefined;
  }
  const rules: PropertyRules[] = [];
  for (const [property, ofProperty] of Object.entries(storage.groupByPropertyName(metadatas))) {
    if (
      isPrototypeKey(property) ||
      transformsProperty(metatype, property) ||
      hasMember(metatype, property)
    ) {
      return undefined;
    }
    const checks = checksOf(storage, ofProperty);
    if (checks === undefined) return undefined;
    const conditions = ofProperty.filter(
      (metadata) => metadata.type === ValidationTypes.CONDITIONAL_VALIDATION,
    );
    rules.push({ property, conditions, checks });
  }
  const known = new Set(rules.map((rule) => rule.property));
  return (value) => accept(metatype, rules, known, value);
}

function isRunHere(metadata: ValidationMetadata): boolean {
  return (
    RUN_AS_RULES.has(metadata.type) &&
    metadata.always !== true &&
    (metadata.groups === undefined || metadata.groups.length === 0)
  );
}

function transformsClass(metatype: Type): boolean {
  const storage = transformerStorage;
  return (
    storage.getStrategy(metatype) !== 'none' ||
    storage.getExposedMetadatas(metatype).length > 0 ||
    storage.getExcludedMetadatas(metatype).length > 0
  );
}

function transformsProperty(metatype: Type, property: string): boolean {
  const storage = transformerStorage;
  return (
    storage.findTypeMetadata(metatype, property) !== undefined ||
    storage.findTransformMetadatas(metatype, property, PLAIN_TO_CLASS).length > 0 ||
    storage.findExposeMetadata(metatype, property) !== undefined ||
    storage.findExcludeMetadata(metatype, property) !== undefined
  );
}

/** A getter or method under a rule's name, which plainToInstance would not assign. */
function hasMember(metatype: Type, property: string): boolean {
  for (let proto = metatype.prototype; proto !== null; proto = Object.getPrototypeOf(proto)) {
    if (Object.getOwnPropertyDescriptor(proto, property) !== undefined) return true;
  }
  return false;
}

function checksOf(storage: Storage, metadatas: ValidationMetadata[]): Check[] | undefined {
  const checks: Check[] = [];
  for (const metadata of metadatas) {
    if (
      metadata.type !== ValidationTypes.CUSTOM_VALIDATION &&
      metadata.type !== ValidationTypes.IS_DEFINED
    ) {
      continue;
    }
    for (const constraint of storage.getTargetValidatorConstraints(metadata.constraintCls)) {
      if (constraint.async) return undefined;
      checks.push({ metadata, validate: constraint.instance.validate.bind(constraint.instance) });
    }
  }
  return checks;
}

function accept(
  metatype: Type,
  rules: PropertyRules[],
  known: ReadonlySet<string>,
  value: unknown,
): object | undefined {
  if (!isPlainObject(value)) return undefined;
  for (const [key, field] of Object.entries(value)) {
    if (!known.has(key) || !isCopiedAsIs(field)) return undefined;
  }
  const entity = Object.assign(new metatype() as object, value) as Record<string, unknown>;
  for (const { property, conditions, checks } of rules) {
    const field = entity[property];
    if (!conditions.every((condition) => condition.constraints[0](entity, field))) continue;
    for (const check of checks) if (!passes(check, entity, property, field)) return undefined;
  }
  return entity;
}

/**
 * A value class-transformer copies without a change: no sparse array or binary data (the
 * ValidationPipe treats them apart) and no prototype key at any depth (it drops those); none
 * of them comes out of a body BodyValidationPipe lets through, or out of a query string.
 */
function isCopiedAsIs(field: unknown): boolean {
  if (typeof field !== 'object' || field === null) return true;
  if (Array.isArray(field)) {
    return Object.keys(field).length === field.length && field.every(isCopiedAsIs);
  }
  if (!isPlainObject(field)) return false;
  for (const [key, item] of Object.entries(field)) {
    if (isPrototypeKey(key) || !isCopiedAsIs(item)) return false;
  }
  return true;
}

function passes(check: Check, object: object, property: string, field: unknown): boolean {
  const { metadata, validate } = check;
  if (metadata.validateIf && !metadata.validateIf(object, field)) return true;
  const args: ValidationArguments = {
    targetName: object.constructor.name,
    property,
    object,
    value: field,
    constraints: metadata.constraints,
  };
  if (!metadata.each || !(Array.isArray(field) || field instanceof Set || field instanceof Map)) {
    return isTrue(validate(field, args));
  }
  if (!Array.isArray(field)) return false;
  for (let i = 0; i < field.length; i++) {
    if (!isTrue(validate(field[i], args))) return false;
  }
  return true;
}

/** A check's answer as class-validator counts it; a promise is left to the ValidationPipe. */
function isTrue(answer: unknown): boolean {
  return Boolean(answer) && !(answer instanceof Promise);
}

/** An object literal or `Object.create(null)`, of any realm (Jest runs tests in a vm context). */
function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}
