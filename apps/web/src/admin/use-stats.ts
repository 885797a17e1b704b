import { useEffect, useRef, useState } from "react";
import { AdminError, fetchStats, type AdminStats } from "./admin-api.js";
import { emptyHistory, ratesBetween, withPoint, type History, type Rates } from "./rates.js";

/** How often the page asks for a snapshot. */
export const POLL_MS = 1500;

/** What the dashboard shows: the latest snapshot, rates since the one before, the charts' history. */
export interface StatsView {
  stats: AdminStats;
  rates: Rates;
  history: History;
  /** The last call's failure while the key is still good (a server restarting, say). */
  trouble?: string;
}

/**
 * Polls the stats every POLL_MS with `key`, one call at a time; `onRefused` is told when the key
 * stops being accepted (rotated away, scope removed), so the page asks for another.
 */
export function useStats(key: string, first: AdminStats, onRefused: (message: string) => void): StatsView {
  const [view, setView] = useState<StatsView>(() => ({
    stats: first,
    rates: ratesBetween(undefined, first),
    history: withPoint(emptyHistory(), first, ratesBetween(undefined, first)),
  }));
  const refused = useRef(onRefused);
  refused.current = onRefused;

  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const stats = await fetchStats(key, abort.signal);
        setView((prev) => {
          const rates = ratesBetween(prev.stats, stats);
          return { stats, rates, history: withPoint(prev.history, stats, rates) };
        });
      } catch (err) {
        if (abort.signal.aborted) return;
        if (err instanceof AdminError && err.refused) return refused.current(err.message);
        setView((prev) => ({ ...prev, trouble: err instanceof Error ? err.message : String(err) }));
      }
      timer = setTimeout(() => void poll(), POLL_MS);
    };
    timer = setTimeout(() => void poll(), POLL_MS);
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [key]);
  return view;
}
