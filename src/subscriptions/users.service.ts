import { Injectable, Logger } from '@nestjs/common';
import { SubscriptionStore } from '../store/subscription.store.js';
import { UserDataStore } from '../store/user-data.store.js';

/** `DELETE /users/:userId` (SPEC 2): everything chime holds about the user goes at once. */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly subscriptions: SubscriptionStore,
    private readonly userData: UserDataStore,
  ) {}

  async erase(userId: string): Promise<void> {
    const subscriptions = await this.subscriptions.deleteUser(userId);
    const { keys, deliveryLogEntries, deadLetters } = await this.userData.erase(userId);
    this.logger.log(
      `erased user ${userId}: ${subscriptions} subscriptions, ${keys} other keys, ` +
        `${deliveryLogEntries} delivery log entries, ${deadLetters} dead letters`,
    );
  }
}
