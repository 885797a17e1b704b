/**
 * Forwarding: how a redistributor hands a gateway the records it wants
 * (docs/cluster.md, "Routing"). One interface, one implementation per
 * channel (kafka-forwarding.ts: a topic per gateway). Whatever the channel,
 * records to one gateway arrive in the order sent, possibly more than once
 * (a redistributor that dies after sending and before committing is
 * replayed by the next owner): the gateway drops what it already has by seq.
 */
import type { DirectInbox } from "./routing-records.js";

/** A record forwarded to one gateway: an events-topic record unchanged, or a join answer (routing-records.ts). */
export interface ForwardRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly (readonly [Buffer | null, Buffer | null])[];
}

/**
 * Bytes of a record's key, value and headers: what the gateway's bytes-read metric counts, the same measure
 * whether the record came over Kafka or the direct stream (batch framing and the stream's encoding left out).
 */
export function recordBytes(r: ForwardRecord): number {
  let n = (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const [k, v] of r.headers) n += (k?.length ?? 0) + (v?.length ?? 0);
  return n;
}

/** The redistributor's side. */
export interface ForwardSender {
  /** Queues `records` for `gateway` after everything sent to it before; resolves once they are delivered or durable. */
  send(gateway: string, records: readonly ForwardRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** The gateway's side: its own inbox of forwarded records. */
export interface ForwardReceiver {
  /** Opens the inbox; `handler` gets every record in order from now on. */
  start(handler: (record: ForwardRecord) => void): Promise<void>;
  /** Where redistributors deliver directly (put in this gateway's lease); undefined: its forward topic. */
  direct?(): DirectInbox | undefined;
  /** True while records can arrive (for /readyz). */
  reading(): boolean;
  /** Stops receiving and removes the inbox. */
  close(): Promise<void>;
}
