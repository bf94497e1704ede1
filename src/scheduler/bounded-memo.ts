/**
 * Answers kept by key, forgotten all at once past `capacity`: a tick asks the same questions
 * (a zone's ranges of its window, the instant of a local time) once per bucket, and the
 * answers of one tick are the next tick's misses, so a bound is all the eviction needed.
 */
export class BoundedMemo<T> {
  private readonly answers = new Map<string, T>();

  constructor(private readonly capacity: number) {}

  get(key: string, compute: () => T): T {
    let answer = this.answers.get(key);
    if (answer === undefined) {
      if (this.answers.size >= this.capacity) this.answers.clear();
      answer = compute();
      this.answers.set(key, answer);
    }
    return answer;
  }
}
