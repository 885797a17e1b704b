/**
 * Makes a group consumer's message stream safe against aborted transactions.
 * The stream API takes no record filter and the client's own read_committed
 * filter keeps aborted records (one range per producer id; ranges whose marker
 * is not in the response), so every fetch response the stream receives is
 * passed through dropAborted first, as PartitionReader does for the gateways.
 * The sink needs this: it once stored a zombie sequencer's aborted event in
 * PostgreSQL, where ON CONFLICT then kept it over the committed one (found by
 * the cluster chaos run).
 */
import type { Consumer, fetchV17 } from "@platformatic/kafka";
import { dropAborted } from "./partition-reader.js";

type FetchResponse = fetchV17.FetchResponse;
type FetchCallback = (error: Error | null, response?: FetchResponse) => void;
type AnyConsumer = Consumer<Buffer, Buffer, Buffer, Buffer>;

/** Filters every fetch of `consumer` through dropAborted; returns the consumer. */
export function filterAbortedFetches(consumer: AnyConsumer): AnyConsumer {
  const fetch = consumer.fetch.bind(consumer) as (options: unknown, callback?: FetchCallback) => unknown;
  const patched = (options: unknown, callback?: FetchCallback): unknown => {
    if (!callback) return (fetch(options) as Promise<FetchResponse>).then(dropAbortedBatches);
    return fetch(options, (error, response) => callback(error, response && dropAbortedBatches(response)));
  };
  (consumer as unknown as { fetch: typeof patched }).fetch = patched;
  return consumer;
}

function dropAbortedBatches(response: FetchResponse): FetchResponse {
  for (const topic of response.responses) {
    for (const partition of topic.partitions) {
      if (partition.records) partition.records = dropAborted(partition);
    }
  }
  return response;
}
