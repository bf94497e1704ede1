import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, ValidateBy } from 'class-validator';

const TAG = /^[A-Za-z0-9_.:@+-]{1,128}$/;

/** A list cursor names the last tag of the page before, base64url-encoded. */
export function encodeTagCursor(tag: string): string {
  return Buffer.from(tag).toString('base64url');
}

/** The tag a cursor names, or null when it is not one chime made. */
export function decodeTagCursor(cursor: string): string | null {
  const tag = Buffer.from(cursor, 'base64url').toString('utf8');
  return TAG.test(tag) && encodeTagCursor(tag) === cursor ? tag : null;
}

function IsTagCursor(): PropertyDecorator {
  return ValidateBy({
    name: 'isTagCursor',
    validator: {
      validate: (value) => typeof value === 'string' && decodeTagCursor(value) !== null,
      defaultMessage: () => 'cursor must be a nextCursor that this list answered',
    },
  });
}

export class ListSubscriptionsQuery {
  @ApiPropertyOptional({ example: 100, minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({
    example: 'bW9ybmluZy1uZXdz',
    description: "The previous page's nextCursor",
  })
  @IsOptional()
  @IsTagCursor()
  cursor?: string;
}
