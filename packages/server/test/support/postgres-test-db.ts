/**
 * Test helper: a PostgreSQL for tests, from PARLEY_TEST_PG_URL. Tests never
 * skip when it is missing: they fail with how to start one.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { openPostgresDb, quoteIdent, type PostgresDb } from "#server/postgres/db.js";

/** PARLEY_TEST_PG_URL, or an error explaining how to get one. */
export function testPostgresUrl(): string {
  const url = process.env.PARLEY_TEST_PG_URL;
  if (!url) {
    throw new Error(
      "PARLEY_TEST_PG_URL is not set. Start a throwaway PostgreSQL with\n" +
        "  export PARLEY_TEST_PG_URL=$(bash scripts/postgres/start.sh)\n" +
        "(stop it with bash scripts/postgres/stop.sh), or run the whole suite with npm test.",
    );
  }
  return url;
}

/** A fresh schema name no other test uses. */
export function uniqueSchema(prefix = "t"): string {
  return `${prefix}_${process.pid}_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
}

/** Opens a migrated pool on a fresh schema of the test database. */
export function openTestDb(schema = uniqueSchema()): Promise<PostgresDb> {
  return openPostgresDb({ url: testPostgresUrl(), schema, maxConnections: 5 });
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgresUrl() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}
