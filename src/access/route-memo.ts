import type { ExecutionContext } from '@nestjs/common';

/** An answer per controller and handler, worked out once: their decorators do not change. */
export class RouteMemo<T> {
  private readonly byController = new WeakMap<object, WeakMap<object, T>>();

  of(context: ExecutionContext, work: () => T): T {
    const controller = context.getClass();
    const byHandler = this.byController.get(controller) ?? new WeakMap<object, T>();
    let answer = byHandler.get(context.getHandler());
    if (answer === undefined) {
      answer = work();
      byHandler.set(context.getHandler(), answer);
      this.byController.set(controller, byHandler);
    }
    return answer;
  }
}
