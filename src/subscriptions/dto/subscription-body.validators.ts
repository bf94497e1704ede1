import { ValidateBy, ValidationOptions } from 'class-validator';

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
