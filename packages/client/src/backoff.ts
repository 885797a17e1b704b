/** Reconnect and retry delay bounds. */
export interface BackoffOptions {
  /** Delay cap of the first attempt, in ms. */
  minMs: number;
  /** Delay cap of every attempt, in ms. */
  maxMs: number;
}

/** Defaults: first retry within 0.5 s, never wait more than 20 s. */
export const DEFAULT_BACKOFF: BackoffOptions = { minMs: 500, maxMs: 20_000 };

/**
 * Exponential backoff with full jitter: uniform in [0, min(maxMs, minMs·2^attempt)].
 * Full jitter spreads a crowd of clients that lost the same server over the
 * whole window, so a restarted node is not hit by one synchronized wave.
 * `random` returns a number in [0, 1) and is injectable for tests.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  // 2^31 already overflows any sane maxMs; clamping keeps the math finite.
  const exponent = Math.min(Math.max(0, attempt), 31);
  const cap = Math.min(options.maxMs, options.minMs * 2 ** exponent);
  return Math.floor(random() * cap);
}

/** Counts consecutive failures and yields the next delay; `reset()` after a success. */
export class Backoff {
  #attempt = 0;

  constructor(
    private readonly options: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** The number of delays handed out since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt; advances the attempt counter. */
  next(): number {
    return backoffDelay(this.#attempt++, this.options, this.random);
  }

  /** Starts over from the smallest window. */
  reset(): void {
    this.#attempt = 0;
  }
}
