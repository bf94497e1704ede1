import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { appConfig } from '../config/configuration.js';
import { DeliveryService } from '../delivery/delivery.service.js';
import { defaultPolicy, Policy } from '../domain/policy.js';
import { validatePolicy } from '../domain/policy-validation.js';
import { PolicyStore } from '../store/policy.store.js';
import { PolicyResponse } from './dto/policy.dto.js';
import { InvalidPolicyError } from './policy.errors.js';

/** A user's quiet hours and snooze (SPEC 7); a change plans the user's held occurrences again. */
@Injectable()
export class PolicyService {
  private readonly logger = new Logger(PolicyService.name);

  constructor(
    private readonly policies: PolicyStore,
    private readonly deliveries: DeliveryService,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  async get(userId: string): Promise<PolicyResponse> {
    return present(userId, await this.policyOf(userId));
  }

  /** The user's stored policy, or the defaults. */
  async policyOf(userId: string): Promise<Policy> {
    return (await this.policies.find(userId)) ?? defaultPolicy(this.app.defaultTimezone);
  }

  async put(userId: string, body: unknown): Promise<PolicyResponse> {
    const { policy, errors } = validatePolicy(body, this.app.defaultTimezone);
    if (errors) throw new InvalidPolicyError(errors);
    await this.policies.save(userId, policy);
    await this.replan(userId);
    return present(userId, policy);
  }

  async delete(userId: string): Promise<PolicyResponse> {
    await this.policies.delete(userId);
    await this.replan(userId);
    return present(userId, defaultPolicy(this.app.defaultTimezone));
  }

  private async replan(userId: string): Promise<void> {
    const count = await this.deliveries.replanHeld(userId);
    if (count > 0) this.logger.log(`planned ${count} held occurrences of ${userId} again`);
  }
}

function present(userId: string, policy: Policy): PolicyResponse {
  return {
    userId,
    timezone: policy.timezone,
    quietHours: policy.quietHours.map(({ from, to, days }) => ({ from, to, days: [...days] })),
    onQuiet: policy.onQuiet,
    snoozeUntil: policy.snoozeUntil?.toISOString() ?? null,
  };
}
