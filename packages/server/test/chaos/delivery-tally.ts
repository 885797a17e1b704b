/**
 * The two numbers users compare systems on: acked messages lost (not
 * delivered to a subscriber that stayed) and duplicated deliveries. Counted
 * by cmid, so it applies to any system, even one whose seqs reset on restart.
 */

/** Input: what was acked, and what each subscriber that stayed received. */
export interface TallyInput {
  readonly acked: ReadonlyArray<{ readonly room: string; readonly cmid: string }>;
  readonly subscribers: ReadonlyArray<{ readonly room: string; readonly cmids: readonly string[] }>;
}

/** Output of {@link tallyDeliveries}. */
export interface DeliveryTally {
  readonly acked: number;
  /** Acked messages missing at one subscriber or more. */
  readonly lost: number;
  /** Deliveries of a cmid beyond the first, summed over subscribers. */
  readonly duplicated: number;
}

/** Counts lost acked messages and duplicate deliveries. */
export function tallyDeliveries(input: TallyInput): DeliveryTally {
  const lostSet = new Set<string>();
  let duplicated = 0;
  for (const sub of input.subscribers) {
    const seen = new Set<string>();
    for (const cmid of sub.cmids) {
      if (seen.has(cmid)) duplicated++;
      seen.add(cmid);
    }
    for (const a of input.acked) if (a.room === sub.room && !seen.has(a.cmid)) lostSet.add(`${a.room}/${a.cmid}`);
  }
  return { acked: input.acked.length, lost: lostSet.size, duplicated };
}
