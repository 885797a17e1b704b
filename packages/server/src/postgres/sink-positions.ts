/**
 * The sink's positions on PostgreSQL: per events partition, the offset of the
 * next record to write. They are written in the transaction that writes the
 * records' rows (PostgresEvents.insertBatch), so PostgreSQL always says
 * exactly how far it holds the log: an empty or restored database says so
 * itself, where the sink group's offsets in Kafka would claim rows it lacks.
 */
import type pg from "pg";
import { rowsOn, type RowsQuery } from "./query.js";

/** Where the sink resumes a partition: the offset after the last record written. */
export interface SinkPosition {
  readonly topic: string;
  readonly partition: number;
  readonly next: bigint;
}

const SQL = {
  // A plain overwrite, not GREATEST: a recreated topic starts over at 0, and the sink must be able to say so.
  upsert: `INSERT INTO sink_positions (topic, partition, next_offset)
    SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[])
    ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset`,
  read: "SELECT partition, next_offset FROM sink_positions WHERE topic = $1",
} as const;

/** Records `positions` inside the caller's transaction. */
export async function writeSinkPositions(client: pg.PoolClient, positions: readonly SinkPosition[]): Promise<void> {
  if (positions.length === 0) return;
  const columns = [positions.map((p) => p.topic), positions.map((p) => p.partition), positions.map((p) => p.next)];
  await client.query(
    SQL.upsert,
    columns.map((c) => c.map(String)),
  );
}

/** Reads the sink's stored positions. */
export class PostgresSinkPositions {
  private readonly rows: RowsQuery;

  constructor(pool: pg.Pool) {
    this.rows = rowsOn(pool, "sink positions");
  }

  /** Per partition of `topic`, the next offset to write; a partition never written is absent. */
  async read(topic: string): Promise<Map<number, bigint>> {
    const rows = await this.rows<{ partition: number; next_offset: number | string }>(SQL.read, [topic]);
    return new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
  }
}
