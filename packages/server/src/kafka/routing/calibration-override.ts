/**
 * PARLEY_ROUTING_CALIBRATION, for tests only: a JSON object of `Calibration` fields laid over the
 * calibrated values (`latency` and `choice` field by field), so a test can make `--routing auto` flip at
 * the small load a test box makes. A diagnostic switch read from the environment like
 * PARLEY_LATENCY_TRACE, not a configuration option: a real cluster decides with the calibration fitted by
 * `npm run bench -- routing` (calibrated.ts).
 */
import { CALIBRATION } from "./calibrated.js";
import type { Calibration } from "./calibration.js";

/** The calibration with `json`'s fields laid over `base`; `base` when `json` is unset. Throws on a bad value. */
export function calibrationOverride(json: string | undefined, base: Calibration = CALIBRATION): Calibration {
  if (!json) return base;
  const given = JSON.parse(json) as Partial<Calibration>;
  if (typeof given !== "object" || given === null) throw new Error("PARLEY_ROUTING_CALIBRATION: not a JSON object");
  for (const [key, value] of Object.entries(given)) {
    const known = (base as unknown as Record<string, unknown>)[key];
    if (known === undefined || typeof known !== typeof value) {
      throw new Error(`PARLEY_ROUTING_CALIBRATION: ${key} is not a calibration field of that type`);
    }
  }
  return {
    ...base,
    ...given,
    latency: { ...base.latency, ...given.latency },
    choice: { ...base.choice, ...given.choice },
  };
}
