/**
 * Makes every fetch of a consumer safe against aborted transactions, for
 * PartitionReader (gateways, sequencers) and the sink's group stream alike.
 *
 * The client library filters read_committed responses itself, wrongly: it
 * keeps one aborted range per producer id (two aborted transactions of one
 * sequencer leaked the first), keeps ranges whose marker is not in the
 * response, and stretches a range to any later abort marker of the producer,
 * so an abort with no records (a sequencer fenced between AddPartitionsToTxn
 * and Produce) made it drop every committed record in between (a new
 * sequencer owner then rebuilt stale heads and sequenced commands twice;
 * found by the cluster chaos run). Its filter runs inside fetch, before any
 * caller sees the response, and takes no option, so the Fetch API is wrapped
 * beneath it: each decoded response goes through dropAborted, and its list of
 * aborted transactions is emptied, which leaves the library's filter nothing to do.
 */
import type { Consumer, fetchV17 } from "@platformatic/kafka";

type FetchResponse = fetchV17.FetchResponse;
type FetchResponsePartition = fetchV17.FetchResponsePartition;
type Batch = NonNullable<FetchResponsePartition["records"]>[number];
type AnyConsumer = Consumer<Buffer, Buffer, Buffer, Buffer>;
type ApiCallback = (error: Error | null, api?: (...args: unknown[]) => void) => void;

/** The description of the client's internal "get the API for this request" method (its Base class). */
const GET_API = "plt.kafka.base.getApi";
const wrapped = new WeakSet<object>();

/** Filters every fetch response of `consumer` through dropAborted before the client sees it; returns the consumer. */
export function committedFetches<C extends AnyConsumer | Consumer>(consumer: C): C {
  if (wrapped.has(consumer)) return consumer;
  const key = getApiSymbol(consumer);
  const target = consumer as unknown as Record<symbol, (name: string, callback: ApiCallback) => void>;
  const original = target[key];
  if (!original) throw new Error(`the Kafka client has no ${GET_API} method: committed-fetch.ts needs updating`);
  const getApi = original.bind(consumer);
  target[key] = (name, callback) =>
    getApi(name, (error, api) => callback(error, api && name === "Fetch" ? filteredFetch(api) : api));
  wrapped.add(consumer);
  return consumer;
}

function filteredFetch(api: (...args: unknown[]) => void): (...args: unknown[]) => void {
  return (...args) => {
    const callback = args.pop() as (error: unknown, response?: FetchResponse) => void;
    api(...args, (error: unknown, response?: FetchResponse) => callback(error, response && keepCommitted(response)));
  };
}

function keepCommitted(response: FetchResponse): FetchResponse {
  for (const topic of response.responses) {
    for (const partition of topic.partitions) {
      if (partition.records) partition.records = dropAborted(partition);
      partition.abortedTransactions = [];
    }
  }
  return response;
}

function getApiSymbol(consumer: object): symbol {
  for (let proto = Object.getPrototypeOf(consumer); proto; proto = Object.getPrototypeOf(proto)) {
    const found = Object.getOwnPropertySymbols(proto).find((s) => s.description === GET_API);
    if (found) return found;
  }
  throw new Error(
    `the Kafka client has no ${GET_API} method: committed-fetch.ts needs updating for this client version`,
  );
}

/** The record-batch attribute bit of a control batch (a transaction's commit or abort marker). */
export const IS_CONTROL = 0x20;

/**
 * Drops every batch of an aborted transaction, as Kafka's own consumer does:
 * walking batches in offset order, a producer enters the aborting set when
 * the response's next aborted transaction starts at or before the batch, and
 * leaves it at its next control batch (the abort marker). A control batch of
 * a producer that is not aborting (a commit, or an abort with no records)
 * changes nothing. Control batches are kept: they only advance the fetch position.
 */
export function dropAborted(p: FetchResponsePartition): Batch[] {
  const batches = p.records ?? [];
  if (p.abortedTransactions.length === 0) return batches;
  const pending = [...p.abortedTransactions].sort((a, b) => Number(a.firstOffset - b.firstOffset));
  const aborting = new Set<bigint>();
  const kept: Batch[] = [];
  for (const b of batches) {
    const last = b.firstOffset + BigInt(b.lastOffsetDelta);
    for (let next = pending[0]; next && next.firstOffset <= last; next = pending[0]) {
      aborting.add(next.producerId);
      pending.shift();
    }
    if (b.attributes & IS_CONTROL) aborting.delete(b.producerId);
    else if (aborting.has(b.producerId)) continue;
    kept.push(b);
  }
  return kept;
}
