import type { Counter } from 'prom-client';

/** A counter's value (one without labels). */
export async function valueOf(counter: Counter): Promise<number> {
  return (await counter.get()).values[0]?.value ?? 0;
}
