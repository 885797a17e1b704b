/**
 * Runs async work one at a time per key, in call order. Parley's idempotent
 * producers need it: two sends in flight to one partition can reach the
 * broker out of order, which fails them and every later send of the producer.
 */
export class SerialQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `work` after everything queued under `key` before it settled (whether it failed or not). */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const next = (this.tails.get(key) ?? Promise.resolve()).catch(() => undefined).then(work);
    this.tails.set(key, next);
    const forget = () => {
      if (this.tails.get(key) === next) this.tails.delete(key);
    };
    next.then(forget, forget);
    return next;
  }

  /** Settles once everything queued now has settled. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.tails.values()]);
  }
}
