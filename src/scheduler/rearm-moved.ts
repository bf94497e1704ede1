import { Injectable, OnModuleInit } from '@nestjs/common';
import { DeliveryService } from '../delivery/delivery.service.js';
import { SchedulerService } from './scheduler.service.js';

/**
 * When the worker cancels a queued send because its subscription's schedule moved, the
 * subscription is armed again as a write arms it: the date is still owed at its new time,
 * and a new time inside the horizon the ticks already scanned would otherwise be missed.
 */
@Injectable()
export class RearmMovedSchedules implements OnModuleInit {
  constructor(
    private readonly delivery: DeliveryService,
    private readonly scheduler: SchedulerService,
  ) {}

  onModuleInit(): void {
    this.delivery.onScheduleMoved((subscription) => this.scheduler.arm(subscription));
  }
}
