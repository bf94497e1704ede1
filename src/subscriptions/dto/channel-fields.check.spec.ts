import { ChannelRegistry } from '../../channels/channel.registry.js';
import { NotificationChannel } from '../../channels/notification-channel.js';
import { channelFieldsCheck } from './channel-fields.check.js';
import { PatchSubscriptionDto } from './patch-subscription.dto.js';
import { PutSubscriptionDto } from './put-subscription.dto.js';

const log: NotificationChannel = {
  name: 'log',
  validateTarget: async (target) => (target === null ? null : 'target must be absent for log'),
  send: async () => undefined,
};
const check = channelFieldsCheck(new ChannelRegistry([log]));

describe('channelFieldsCheck', () => {
  it.each([PutSubscriptionDto, PatchSubscriptionDto])(
    'names an unknown channel (%p)',
    async (dto) => {
      expect(await check({ channel: 'pigeon' }, dto)).toEqual(['channel must be one of: log']);
    },
  );

  it('checks a PUT target against its channel, an omitted target too', async () => {
    expect(await check({ channel: 'log', target: 'x' }, PutSubscriptionDto)).toEqual([
      'target must be absent for log',
    ]);
    expect(await check({ channel: 'log' }, PutSubscriptionDto)).toEqual([]);
  });

  it("leaves a PATCH's omitted target to the service, which knows the stored one", async () => {
    expect(await check({ channel: 'log' }, PatchSubscriptionDto)).toEqual([]);
    expect(await check({ channel: 'log', target: 'x' }, PatchSubscriptionDto)).toEqual([
      'target must be absent for log',
    ]);
  });

  it('says nothing of fields the DTO already names, or of other bodies', async () => {
    expect(await check({ channel: 5 }, PutSubscriptionDto)).toEqual([]);
    expect(await check({ channel: 'log', target: 42 }, PutSubscriptionDto)).toEqual([]);
    expect(await check({ channel: 'pigeon' }, Object)).toEqual([]);
    expect(await check(undefined, PutSubscriptionDto)).toEqual([]);
  });
});
