/**
 * The loop of Parley's own Kafka readers: fetch, hand over, repeat until
 * closed; a failed fetch is reported and retried after 200 ms. `readAt`
 * tells when the last step succeeded (0 after a failure), for readiness.
 */
const RETRY_MS = 200;

/** A reader's loop state. */
export class PollLoop {
  /** When the last step succeeded; 0 while the last one failed. */
  readAt = 0;
  closed = false;

  constructor(private readonly onError: (err: unknown) => void) {}

  /** True while steps succeed: the last one within `staleMs`. */
  reading(staleMs: number): boolean {
    return !this.closed && this.readAt > 0 && Date.now() - this.readAt < staleMs;
  }

  private loop: Promise<void> | undefined;

  /** Starts running `step` until stop(). */
  start(step: () => Promise<void>): void {
    this.loop = this.run(step);
  }

  /** Stops after the step in flight. */
  async stop(): Promise<void> {
    this.closed = true;
    await this.loop;
  }

  private async run(step: () => Promise<void>): Promise<void> {
    this.readAt = Date.now();
    while (!this.closed) {
      try {
        await step();
        this.readAt = Date.now();
      } catch (err) {
        this.readAt = 0;
        if (this.closed) return;
        this.onError(err);
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }
}
