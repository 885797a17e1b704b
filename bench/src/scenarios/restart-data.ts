/**
 * A data dir holding `events` stored chat messages, built once and cached
 * under bench/results/ (`*.tmp` is git-ignored): the restart scenario copies
 * it for every round, so each server starts on the same history.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeChatEvents } from "@parley/server/bench/events-data.js";
import { log } from "./common.js";

const CACHE = fileURLToPath(new URL("../../results/", import.meta.url));
/** Written last: a directory without it is a generation that was cut short. */
const COMPLETE = "complete";

/** Where the data dir of `events` messages over `rooms` rooms is; generated on first use. */
export function eventsDataDir(events: number, rooms: number): string {
  const dir = join(CACHE, `restart-${events}-${rooms}.tmp`);
  if (existsSync(join(dir, COMPLETE))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  log(`restart: writing ${events} events over ${rooms} rooms into ${dir} (once; cached)`);
  writeChatEvents(dir, events, rooms);
  writeFileSync(join(dir, COMPLETE), `${events} events, ${rooms} rooms\n`);
  log(`restart: data dir written in ${Math.round((Date.now() - started) / 1000)} s`);
  return dir;
}
