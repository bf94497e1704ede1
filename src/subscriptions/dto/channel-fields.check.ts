import type { ChannelRegistry } from '../../channels/channel.registry.js';
import type { BodyCheck } from '../../common/body-validation.pipe.js';
import { PatchSubscriptionDto } from './patch-subscription.dto.js';
import { PutSubscriptionDto } from './put-subscription.dto.js';

/**
 * The channel and target problems of a subscription body that also has other problems, so
 * that one 400 names them all. A PUT body is whole: its channel and target are checked
 * together. A PATCH's target may depend on the stored channel, so a PATCH is checked here
 * for its channel's name alone unless it gives both; the service checks the merged result.
 */
export function channelFieldsCheck(registry: ChannelRegistry): BodyCheck {
  return async (body, dto) => {
    if (dto !== PutSubscriptionDto && dto !== PatchSubscriptionDto) return [];
    const { channel, target } = (body ?? {}) as Record<string, unknown>;
    if (typeof channel !== 'string' || channel === '') return [];
    const whole = dto === PutSubscriptionDto && target === undefined;
    if (whole || target === null || (typeof target === 'string' && target !== '')) {
      return registry.problemsWith(channel, (target ?? null) as string | null);
    }
    return registry.find(channel) ? [] : registry.problemsWith(channel, null);
  };
}
