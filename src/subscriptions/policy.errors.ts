import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';

/** A policy body that breaks SPEC 7's rules; every problem is named. */
export class InvalidPolicyError extends DomainError {
  constructor(problems: readonly string[]) {
    super('INVALID_POLICY', HttpStatus.BAD_REQUEST, problems.join('; '), [...problems]);
  }
}
