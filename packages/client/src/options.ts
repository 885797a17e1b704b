import { DEAD_LINK_FACTOR } from "@parley/protocol";
import { DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.js";
import { MemoryOutboxStorage, type OutboxStorage } from "./outbox-storage.js";
import { systemTimers, type Timers } from "./timers.js";
import { resolveTransportOptions, type ResolvedTransportOptions, type TransportOptions } from "./transport-factory.js";

/** Dead-link detection settings. */
export interface HeartbeatOptions {
  /** Silence limit as a multiple of the server's `heartbeatMs`. Default `DEAD_LINK_FACTOR` (2.5). */
  timeoutFactor?: number;
  /** A fixed silence limit in ms; overrides `timeoutFactor`. */
  timeoutMs?: number;
}

/** Everything `new ParleyClient(...)` accepts. Every option has a default except `url`. */
export interface ParleyClientOptions extends TransportOptions {
  /** WebSocket URL of a Parley server, e.g. `ws://localhost:8080/ws`. */
  url: string;
  /** A fixed JWT. */
  token?: string;
  /** Fetches a JWT; called before the first connect and again after the server reports TOKEN_EXPIRED. */
  getToken?: () => Promise<string>;
  /** Dev-mode servers only: the user to act as. */
  user?: string;
  /** Where unacked messages wait. Default: in memory. */
  outbox?: OutboxStorage;
  /** Reconnect and retry delays. Default `{ minMs: 500, maxMs: 20000 }`. */
  backoff?: Partial<BackoffOptions>;
  /** Dead-link detection. */
  heartbeat?: HeartbeatOptions;
  /** Give up on a connect attempt after this long without `connected`. Default 10000. */
  connectTimeoutMs?: number;
  /** One-shot requests (history, presence) fail after this long. Default 15000. */
  requestTimeoutMs?: number;
  /** Client name sent in `connect`, for server logs. Default `parley-js`. */
  clientName?: string;
  /** Clock and timers. Default: the runtime's. */
  timers?: Timers;
  /** Randomness for jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Client message id generator. Default `crypto.randomUUID`. */
  newId?: () => string;
}

/** Options with every default applied. */
export interface ResolvedOptions extends ResolvedTransportOptions {
  token: string | undefined;
  getToken: (() => Promise<string>) | undefined;
  user: string | undefined;
  outbox: OutboxStorage;
  backoff: BackoffOptions;
  heartbeat: Required<Pick<HeartbeatOptions, "timeoutFactor">> & Pick<HeartbeatOptions, "timeoutMs">;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  clientName: string;
  timers: Timers;
  random: () => number;
  newId: () => string;
}

/** Applies defaults and checks what can be checked up front. */
export function resolveOptions(options: ParleyClientOptions): ResolvedOptions {
  return {
    ...resolveTransportOptions(options),
    token: options.token,
    getToken: options.getToken,
    user: options.user,
    outbox: options.outbox ?? new MemoryOutboxStorage(),
    backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
    heartbeat: {
      timeoutFactor: options.heartbeat?.timeoutFactor ?? DEAD_LINK_FACTOR,
      timeoutMs: options.heartbeat?.timeoutMs,
    },
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
    clientName: options.clientName ?? "parley-js",
    timers: options.timers ?? systemTimers,
    random: options.random ?? Math.random,
    newId: options.newId ?? (() => globalThis.crypto.randomUUID()),
  };
}
