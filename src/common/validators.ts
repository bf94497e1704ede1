import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, ValidateBy, ValidationOptions } from 'class-validator';
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

/** `?limit=` of a paged list: an optional integer 1-500 (SPEC 2). */
export function PageLimit(defaultLimit: number): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ example: defaultLimit, minimum: 1, maximum: 500, default: defaultLimit }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(500),
  );
}

/** `?cursor=` of a paged list: an optional `nextCursor` that `decodes` (else a 400 naming it). */
export function PageCursor(
  decodes: (cursor: string) => boolean,
  list: string,
  example: string,
): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ example, description: "The previous page's nextCursor" }),
    IsOptional(),
    ValidateBy({
      name: 'isPageCursor',
      validator: {
        validate: (value) => typeof value === 'string' && decodes(value),
        defaultMessage: () => `cursor must be a nextCursor that ${list} answered`,
      },
    }),
  );
}

/** `nextCursor` of a paged answer: the next page's `?cursor=`, null on the last page. */
export function ApiNextCursor(): PropertyDecorator {
  return ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Pass it as ?cursor= for the next page; null on the last page',
  });
}
