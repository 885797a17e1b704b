/**
 * `--routing auto` switches only when a choice holds: a routing other than the one in force must be
 * chosen `evaluations` times in a row (docs/cluster.md, "Routing: auto"), so a workload near the
 * crossover, or one noisy interval, does not make the gateway flap between feeds. Pure.
 */
import type { Routing } from "./cost-model.js";

/** Counts consecutive choices against the routing in force. */
export class Hysteresis {
  private candidate: Routing | undefined;
  private streak = 0;

  constructor(private readonly evaluations: number) {
    if (!Number.isInteger(evaluations) || evaluations < 1) throw new Error(`evaluations must be ≥ 1: ${evaluations}`);
  }

  /** One evaluation's choice; returns the routing to switch to once a different one held long enough. */
  next(current: Routing, chosen: Routing): Routing | undefined {
    if (chosen === current) {
      this.candidate = undefined;
      this.streak = 0;
      return undefined;
    }
    this.streak = this.candidate === chosen ? this.streak + 1 : 1;
    this.candidate = chosen;
    if (this.streak < this.evaluations) return undefined;
    this.candidate = undefined;
    this.streak = 0;
    return chosen;
  }

  /** How many evaluations in a row chose the candidate (0: the routing in force was chosen last). */
  get held(): number {
    return this.streak;
  }
}
