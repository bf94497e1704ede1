import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { OccurrenceDecision } from '../domain/decision.js';
import { previewOccurrences } from '../domain/preview.js';
import { SubscriptionKey } from '../domain/subscription.js';
import { plusDays, zoneClock } from '../domain/zone-clock.js';
import { HistoryStore } from '../store/history.store.js';
import { PolicyStore } from '../store/policy.store.js';
import { SubscriptionStore } from '../store/subscription.store.js';
import { OccurrenceItem, PreviewItem } from './dto/occurrence.response.js';
import { SubscriptionNotFoundError } from './subscription.errors.js';

/** A claim is made at most this many local days either side of today (lookahead, catch-up). */
const CLAIM_DAYS_AROUND = 1;

/** What a subscription's occurrences will be (the preview) and what they were (the history). */
@Injectable()
export class OccurrencesService {
  constructor(
    private readonly subscriptions: SubscriptionStore,
    private readonly policies: PolicyStore,
    private readonly history: HistoryStore,
    private readonly clock: Clock,
  ) {}

  /**
   * SPEC 7: the next `count` occurrences from now, decided by the same rules the delivery
   * worker applies at send time (domain/decision.ts).
   */
  async preview(key: SubscriptionKey, count: number): Promise<PreviewItem[]> {
    const [subscription, policy] = await Promise.all([
      this.subscriptions.find(key),
      this.policies.find(key.userId),
    ]);
    if (!subscription) throw new SubscriptionNotFoundError(key);
    return previewOccurrences(subscription, policy, this.clock.now(), count).map(presentDecision);
  }

  async recent(key: SubscriptionKey, limit: number): Promise<OccurrenceItem[]> {
    const subscription = await this.subscriptions.find(key);
    if (!subscription) throw new SubscriptionNotFoundError(key);
    const today = zoneClock(subscription.timezone).localDateOf(this.clock.now().getTime());
    const claimDates = [];
    for (let day = -CLAIM_DAYS_AROUND; day <= CLAIM_DAYS_AROUND; day++) {
      claimDates.push(plusDays(today, day));
    }
    const entries = await this.history.list(key.userId, key.tag, claimDates, limit);
    return entries.map((entry) => ({
      occurrenceId: entry.occurrenceId,
      scheduledFor: entry.scheduledFor.toISOString(),
      status: entry.status,
      attempts: entry.attempts,
      lastError: entry.lastError,
      updatedAt: entry.updatedAt.toISOString(),
    }));
  }
}

function presentDecision(decision: OccurrenceDecision): PreviewItem {
  return {
    occurrenceId: decision.occurrenceId,
    localDate: decision.localDate,
    scheduledFor: decision.scheduledFor.toISOString(),
    sendAt: decision.sendAt?.toISOString() ?? null,
    outcome: decision.outcome,
    reasons: [...decision.reasons],
  };
}
