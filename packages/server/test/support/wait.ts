/** Waiting for a condition instead of for time: a loaded machine only takes longer, it does not fail. */
import { setTimeout as sleep } from "node:timers/promises";

/** Resolves once `condition()` holds (checked every 50 ms); rejects naming `what` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}
