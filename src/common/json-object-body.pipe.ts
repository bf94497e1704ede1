import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';

/** A request body, when there is one, must be a JSON object: not an array, string or null. */
@Injectable()
export class JsonObjectBodyPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body' || value === undefined) return value;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
    throw new BadRequestException(['body must be a JSON object']);
  }
}
