/**
 * Retry timing for Parley's Kafka clients. The client's default is a flat
 * 1000 ms between retries, which is right for a broker that is down but
 * ruinous for CONCURRENT_TRANSACTIONS: the broker answers that to the first
 * AddPartitionsToTxn of a transaction while it is still writing the commit
 * markers of the previous one (a few ms), and a sequencer starts its next
 * transaction right after the commit returns. Waiting 1 s there was most of
 * the cluster's publish→deliver latency (p99 ≈ 1.9 s at 1k msg/s).
 */
import type { RetryDelayGetter } from "@platformatic/kafka";

/** Retries and delays for a transactional producer: a few ms for CONCURRENT_TRANSACTIONS, backoff otherwise. */
export function transactionalRetries(otherMs = 250): { retries: number; retryDelay: RetryDelayGetter } {
  return {
    // Enough for ~1.3 s of CONCURRENT_TRANSACTIONS, or ~7 s of a broker that is away.
    retries: 30,
    // eslint-disable-next-line max-params -- the signature is @platformatic/kafka's RetryDelayGetter
    retryDelay: (_client, _op, attempt, _retries, error) =>
      isConcurrentTransactions(error) ? (attempt <= 5 ? 2 * attempt : 50) : otherMs,
  };
}

/** True when the error (or any error it wraps) is CONCURRENT_TRANSACTIONS. */
export function isConcurrentTransactions(err: unknown): boolean {
  const e = err as { findBy?: (k: string, v: unknown) => unknown };
  return Boolean(e?.findBy?.("apiId", "CONCURRENT_TRANSACTIONS"));
}
