import type { TimerHandle, Timers } from "./timers.js";

/**
 * Detects a dead link: the server pings every `heartbeatMs`, so if nothing at
 * all arrives for `timeoutMs` the socket is gone even if the OS has not noticed.
 * Rather than re-arming a timer on every frame (costly at high rates), it
 * records the last arrival and checks once per deadline.
 */
export class Heartbeat {
  #timeoutMs = 0;
  #lastSeen = 0;
  #timer: TimerHandle | undefined;

  constructor(
    private readonly timers: Timers,
    private readonly onDead: () => void,
  ) {}

  /** Starts watching with the given silence limit. */
  start(timeoutMs: number): void {
    this.stop();
    this.#timeoutMs = timeoutMs;
    this.#lastSeen = this.timers.now();
    this.#arm(timeoutMs);
  }

  /** Records that something arrived from the server. */
  touch(): void {
    this.#lastSeen = this.timers.now();
  }

  /** Stops watching. */
  stop(): void {
    if (this.#timer !== undefined) this.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Whether the monitor is running. */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  #arm(ms: number): void {
    this.#timer = this.timers.setTimeout(() => this.#check(), ms);
  }

  #check(): void {
    const silentFor = this.timers.now() - this.#lastSeen;
    if (silentFor >= this.#timeoutMs) {
      this.#timer = undefined;
      this.onDead();
      return;
    }
    this.#arm(this.#timeoutMs - silentFor);
  }
}
