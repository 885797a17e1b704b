import { TokenBucket, type ConnectionLimits } from "@parley/protocol";

/**
 * The client's copy of the server's publish bucket (`connected.limits`), so
 * the outbox sends no faster than the server accepts. It keeps a tenth of the
 * burst in reserve: sends that the network bunches up on the way (or a retry
 * the server refused without taking a token) then still find tokens there.
 */
export class PublishPacer {
  #bucket: TokenBucket;

  private constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.#bucket = new TokenBucket(rate, burst, now);
  }

  /** A pacer for the announced limits; undefined when the server announced none (no pacing). */
  static from(limits: ConnectionLimits | undefined, now: number): PublishPacer | undefined {
    const rate = limits?.publishRate;
    const burst = limits?.publishBurst;
    if (rate === undefined || burst === undefined || rate <= 0 || burst < 1) return undefined;
    return new PublishPacer(rate, Math.max(1, Math.floor(burst - Math.ceil(burst / 10))), now);
  }

  /** Takes a token for one send. */
  take(now: number): boolean {
    return this.#bucket.take(now);
  }

  /** Milliseconds until the next token. */
  waitMs(now: number): number {
    return this.#bucket.waitMs(now);
  }

  /** The server refused for want of tokens: assume its bucket is empty and refill from now. */
  drain(now: number): void {
    this.#bucket = new TokenBucket(this.rate, this.burst, now);
    while (this.#bucket.take(now));
  }
}
