import type { TransportKind } from "./transport.js";

/**
 * Why an attempt ended before reaching the server, as an HTTP request to the
 * same server tells it (`transport-failure.ts`):
 * - `"transport"`: the server answers HTTP, so this transport is what fails
 *   (a proxy refusing upgrades, a middlebox cutting streams); it counts
 *   toward falling back.
 * - `"server"`: HTTP gets no answer either (refused, reset, timed out, a
 *   gateway's 5xx): the server is down and no transport is to blame.
 */
export type AttemptFailure = "transport" | "server";

/** When to leave a transport that does not work, and when to try the preferred one again. */
export interface TransportFallbackOptions {
  /** Consecutive attempts on one transport that fail while the server answers HTTP, after which the next is tried. Default 2. */
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
 *   code, 4000+) arrived on it; the connection reports that. One that ends
 *   without (upgrade refused, connect timeout, proxy cut) failed, and the
 *   connection says why (`AttemptFailure`).
 * - A `"transport"` failure counts; after `failures` in a row (not counting
 *   `"server"` failures between them) the next transport in the list is
 *   current, wrapping around.
 * - A `"server"` failure changes nothing: a server that is down is not a
 *   network that blocks the transport, so the client keeps backing off on
 *   the transport it has (a kill -9 restart never moves it to SSE).
 * - A transport that reached the server stays current for the client's life.
 * - While current is not the first listed, the first reconnect at least
 *   `probeAfterMs` after falling back tries the first one: if it reaches the
 *   server it becomes current again; a `"transport"` failure sends the next
 *   attempt to the fallback at once (no further failures needed) and the
 *   wait starts over; a `"server"` failure leaves the probe due, so it is
 *   tried again once the server is back.
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
    const kind = this.transports[this.#probing ? 0 : this.#index];
    if (kind === undefined) throw new Error(`parley: no transport at position ${this.#index}`);
    return kind;
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

  /** The attempt that `next()` last chose ended without reaching the server, for `cause`. */
  failed(cause: AttemptFailure): void {
    if (cause === "server") return;
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
