/**
 * A token bucket: `ratePerSec` tokens refill continuously up to `burst`.
 * Pure: the caller passes the clock, so tests need no timers. The gateway
 * enforces publish limits with it and the client paces its outbox with the
 * same arithmetic (`connected.limits.publishRate` / `publishBurst`).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.last = nowMs;
  }

  /** Takes `n` tokens if available; returns false (taking none) otherwise. */
  take(nowMs: number, n = 1): boolean {
    this.refill(nowMs);
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Milliseconds until `n` tokens are available (0 if they are now). */
  waitMs(nowMs: number, n = 1): number {
    this.refill(nowMs);
    if (this.tokens >= n || this.ratePerSec <= 0) return this.tokens >= n ? 0 : Infinity;
    return Math.ceil(((n - this.tokens) / this.ratePerSec) * 1000);
  }

  private refill(nowMs: number): void {
    const elapsed = Math.max(0, nowMs - this.last);
    this.last = Math.max(this.last, nowMs);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSec) / 1000);
  }
}
