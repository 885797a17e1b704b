import type { TransportKind } from "./transport.js";

/** When to leave a transport that does not work, and when to try the preferred one again. */
export interface TransportFallbackOptions {
  /** Consecutive attempts on one transport that fail before reaching the server, after which the next is tried. Default 2. */
  failures: number;
  /** Once on a fallback, the first reconnect at least this long after falling back probes the preferred transport again. Default 60000. */
  probeAfterMs: number;
}

/** Default fallback rule. */
export const DEFAULT_TRANSPORT_FALLBACK: TransportFallbackOptions = { failures: 2, probeAfterMs: 60_000 };

/**
 * Picks the transport for each connect attempt; pure, with an injected clock.
 *
 * - Attempts use the current transport, starting with the first listed.
 * - An attempt "reached the server" when any server frame (or a Parley close
 *   code, 4000+) arrived on it; the connection reports that. One
 *   that ends without (upgrade refused, connect timeout, proxy cut) is a
 *   failure; after `failures` in a row the next transport in the list is
 *   current (wrapping around, so a server that is simply down is retried on
 *   every transport in turn).
 * - A transport that reached the server stays current for the client's life.
 * - While current is not the first listed, the first reconnect at least
 *   `probeAfterMs` after falling back tries the first one once: if it reaches
 *   the server it becomes current again, otherwise the fallback is used at
 *   once (no further failures needed) and the wait starts over.
 */
export class TransportSelector {
  #index = 0;
  #failures = 0;
  #fellBackAt: number | undefined;
  #probing = false;

  constructor(
    private readonly transports: readonly TransportKind[],
    private readonly options: TransportFallbackOptions,
    private readonly now: () => number,
  ) {
    if (transports.length === 0) throw new Error("parley: `transports` lists no usable transport");
  }

  /** The transport the next attempt should use. */
  next(): TransportKind {
    const due = this.#fellBackAt !== undefined && this.now() - this.#fellBackAt >= this.options.probeAfterMs;
    this.#probing = this.#index !== 0 && due;
    return this.transports[this.#probing ? 0 : this.#index]!;
  }

  /** The attempt that `next()` last chose reached the server. */
  reached(): void {
    if (this.#probing) {
      this.#index = 0;
      this.#fellBackAt = undefined;
    }
    this.#probing = false;
    this.#failures = 0;
  }

  /** The attempt that `next()` last chose ended without reaching the server. */
  failed(): void {
    if (this.#probing) {
      this.#probing = false;
      this.#fellBackAt = this.now();
      return;
    }
    if (++this.#failures < this.options.failures) return;
    this.#failures = 0;
    this.#index = (this.#index + 1) % this.transports.length;
    this.#fellBackAt = this.#index === 0 ? undefined : this.now();
  }
}
