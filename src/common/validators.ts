import { ValidateBy, ValidationOptions } from 'class-validator';
import { isHHMM } from '../domain/local-time.js';
import { isKnownTimezone } from '../domain/timezone.js';

/** A 24-hour `HH:MM` time of day, `00:00` to `23:59`. */
export function IsHHMM(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHHMM',
      validator: {
        validate: (value) => isHHMM(value),
        defaultMessage: (args) => `${args?.property} must be a time "HH:MM" from 00:00 to 23:59`,
      },
    },
    options,
  );
}

/** An IANA zone name the runtime knows (`Asia/Shanghai`, `UTC`). */
export function IsIanaTimezone(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIanaTimezone',
      validator: {
        validate: (value) => isKnownTimezone(value),
        defaultMessage: (args) =>
          `${args?.property} must be an IANA time zone name such as Europe/Paris or UTC`,
      },
    },
    options,
  );
}
