/**
 * How the PostgreSQL files reach the pool. A failure of the driver or the
 * network becomes ParleyError("UNAVAILABLE") naming the component, so a
 * caller sees the same retryable error whichever statement failed.
 */
import { ParleyError } from "@parley/protocol";
import type pg from "pg";

/** Turns driver and network failures into ParleyError("UNAVAILABLE"); ParleyErrors pass through. */
export async function guardPg<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ParleyError) throw err;
    throw new ParleyError("UNAVAILABLE", `${what}: PostgreSQL failed`, { cause: err });
  }
}

/** One autocommitted statement, guarded: committed when it resolves. */
export type Statement = <R extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string,
  params: unknown[],
) => Promise<pg.QueryResult<R>>;

/** One autocommitted statement, guarded, resolving with its rows. */
export type RowsQuery = <R extends pg.QueryResultRow>(sql: string, params: unknown[]) => Promise<R[]>;

/** Statements on `pool` whose failures name `what`. */
export function statementsOn(pool: pg.Pool, what: string): Statement {
  return (sql, params) => guardPg(what, () => pool.query(sql, params));
}

/** Row reads on `pool` whose failures name `what`. */
export function rowsOn(pool: pg.Pool, what: string): RowsQuery {
  const run = statementsOn(pool, what);
  return async <R extends pg.QueryResultRow>(sql: string, params: unknown[]) => (await run<R>(sql, params)).rows;
}

/**
 * Runs `work` in one transaction on one pooled connection: committed when it
 * resolves, rolled back when it throws (the error passes through unchanged).
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
