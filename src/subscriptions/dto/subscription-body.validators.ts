import { ValidateBy, ValidationOptions } from 'class-validator';
import { DST_GAPS, DST_OVERLAPS } from '../../domain/dst.js';
import { isLocalDate } from '../../domain/local-time.js';

/** A value whose JSON serialisation is at most `maxBytes` bytes of UTF-8. */
export function MaxJsonBytes(maxBytes: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxJsonBytes',
      validator: {
        validate: (value) => Buffer.byteLength(JSON.stringify(value) ?? '') <= maxBytes,
        defaultMessage: (args) =>
          `${args?.property} must serialise to at most ${maxBytes} bytes of JSON`,
      },
    },
    options,
  );
}

/** Every element a real calendar date `YYYY-MM-DD`. */
export function AreLocalDates(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'areLocalDates',
      validator: {
        validate: (value) => Array.isArray(value) && value.every((date) => isLocalDate(date)),
        defaultMessage: (args) =>
          `${args?.property} must hold only calendar dates YYYY-MM-DD such as 2026-12-25`,
      },
    },
    options,
  );
}

/** `{"gap": "shift" | "skip", "overlap": "first" | "last"}`, either part optional, no other key. */
export function IsDstChoiceBody(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDstChoice',
      validator: {
        validate: (value) => isDstBody(value),
        defaultMessage: (args) =>
          `${args?.property} must be an object {"gap": "${DST_GAPS.join('" | "')}", ` +
          `"overlap": "${DST_OVERLAPS.join('" | "')}"} with no other key`,
      },
    },
    options,
  );
}

function isDstBody(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { gap, overlap, ...rest } = value as Record<string, unknown>;
  return (
    Object.keys(rest).length === 0 &&
    (gap === undefined || DST_GAPS.some((choice) => choice === gap)) &&
    (overlap === undefined || DST_OVERLAPS.some((choice) => choice === overlap))
  );
}
