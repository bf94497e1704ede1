import {
  ArgumentMetadata,
  BadRequestException,
  Injectable,
  Type,
  ValidationPipe,
} from '@nestjs/common';
import { acceptanceOf } from './dto-acceptance.js';
import { withoutPrototypeKeys } from './prototype-keys.js';

/**
 * A check of a request body beyond its DTO's decorators (a channel name that only the
 * registry knows). It sees the parsed body, valid or not, and answers every problem it finds.
 */
export type BodyCheck = (body: unknown, dto: Type | undefined) => Promise<string[]>;

/**
 * The ValidationPipe of STYLE.md (whitelist, forbidNonWhitelisted, transform) that answers one
 * 400 naming everything wrong with a body at once: prototype keys (`__proto__`, `constructor`)
 * as the unknown keys they are, the DTO's invalid, missing and unknown fields, and, when
 * there is anything to say already, what the `BodyCheck`s find. A body without problems is
 * left to the service, which runs the same checks. A value its DTO's rules accept becomes the
 * DTO without the ValidationPipe's own run (dto-acceptance.ts); any other runs it.
 */
@Injectable()
export class BodyValidationPipe extends ValidationPipe {
  constructor(private readonly checks: readonly BodyCheck[] = []) {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dto = accepted(value, metadata);
    if (dto !== undefined) return dto;
    if (metadata.type !== 'body') return super.transform(value, metadata);
    const { value: body, paths } = withoutPrototypeKeys(value);
    const problems = paths.map((path) => `property ${path} should not exist`);
    let validated: unknown;
    try {
      validated = await super.transform(body, metadata);
    } catch (error) {
      if (!(error instanceof BadRequestException)) throw error;
      problems.push(...messagesOf(error));
    }
    if (problems.length === 0) return validated;
    for (const check of this.checks) problems.push(...(await check(body, metadata.metatype)));
    throw new BadRequestException([...new Set(problems)]);
  }
}

/** The DTO of a value its rules accept (dto-acceptance.ts), without the pipe's own run. */
function accepted(value: unknown, { type, metatype }: ArgumentMetadata): object | undefined {
  if (type === 'custom' || metatype === undefined) return undefined;
  return acceptanceOf(metatype)?.(value);
}

function messagesOf(error: BadRequestException): string[] {
  const response = error.getResponse();
  const message =
    typeof response === 'string' ? response : (response as { message?: unknown }).message;
  return (Array.isArray(message) ? message : [message ?? error.message]).map(String);
}
