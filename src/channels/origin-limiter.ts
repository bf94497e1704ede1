import pLimit, { LimitFunction } from 'p-limit';

interface OriginSlots {
  readonly limit: LimitFunction;
  users: number;
}

/**
 * Runs at most `perOrigin` tasks at once per origin (scheme, host, port), so that one
 * receiver's backlog neither floods it with connections nor holds the sends to others.
 * An origin with nothing queued is forgotten.
 */
export class OriginLimiter {
  private readonly origins = new Map<string, OriginSlots>();

  constructor(private readonly perOrigin: number) {}

  run<T>(origin: string, task: () => Promise<T>): Promise<T> {
    let slots = this.origins.get(origin);
    if (!slots) {
      slots = { limit: pLimit(this.perOrigin), users: 0 };
      this.origins.set(origin, slots);
    }
    const taken = slots;
    taken.users += 1;
    return taken.limit(task).finally(() => {
      taken.users -= 1;
      if (taken.users === 0) this.origins.delete(origin);
    });
  }
}
