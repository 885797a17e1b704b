/**
 * Test support: a whole cluster of real processes (gateways, sequencers, a
 * sink) on the test broker and a fresh PostgreSQL database, plus the client
 * helpers the cluster tests share.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { AckFrame, Json } from "@parley/protocol";
import { testPostgresUrl } from "./postgres-test-db.js";
import { RawClient } from "./raw-client.js";
import { ClusterProcess, type TestClusterConfig } from "./cluster-process.js";
import { testBrokers, uniquePrefix } from "./test-kafka.js";

/** Publish limits lifted: the tests publish in bulk. */
const UNLIMITED = ["--publish-rate-per-connection", "100000", "--publish-rate-per-user", "100000"];

/** A running test cluster. */
export class TestCluster {
  readonly gateways: ClusterProcess[] = [];
  readonly sequencers: ClusterProcess[] = [];
  /** `--role redistributor` nodes (give `--routing redistributed` in `args` for the gateways to use them). */
  readonly redistributors: ClusterProcess[] = [];
  sink!: ClusterProcess;
  private readonly clients: RawClient[] = [];

  private constructor(
    readonly config: TestClusterConfig & { readonly postgres: string },
    readonly database: string,
    private readonly adminUrl: string,
  ) {}

  /**
   * Creates a database and starts `gateways` gateways, `sequencers` sequencers, `redistributors`
   * redistributors (default none) and one sink (on `kafka`, default the test broker).
   */
  static async start(shape: {
    gateways: number;
    sequencers: number;
    redistributors?: number;
    args?: string[];
    kafka?: string;
    env?: Record<string, string>;
  }): Promise<TestCluster> {
    const kafka = shape.kafka ?? testBrokers().join(",");
    const adminUrl = testPostgresUrl();
    const { database, url } = await createTestDatabase(adminUrl);
    const config = {
      kafka,
      postgres: url,
      topicPrefix: uniquePrefix("c"),
      partitions: 4,
      args: [...UNLIMITED, ...(shape.args ?? [])],
      ...(shape.env && { env: shape.env }),
    };
    const cluster = new TestCluster(config, database, adminUrl);
    try {
      // The sequencers first: they create the topics and must own partitions before gateways publish.
      for (let i = 0; i < shape.sequencers; i++)
        cluster.sequencers.push(new ClusterProcess("sequencer", config, `seq${i}`));
      await Promise.all(cluster.sequencers.map((s) => s.start()));
      // Redistributors before gateways: a redistributed gateway's first join needs one.
      for (let i = 0; i < (shape.redistributors ?? 0); i++)
        cluster.redistributors.push(new ClusterProcess("redistributor", config, `red${i}`));
      await Promise.all(cluster.redistributors.map((r) => r.start()));
      cluster.sink = new ClusterProcess("sink", config);
      for (let i = 0; i < shape.gateways; i++) cluster.gateways.push(new ClusterProcess("gateway", config, `gw${i}`));
      await Promise.all([cluster.sink.start(), ...cluster.gateways.map((g) => g.start())]);
    } catch (err) {
      await cluster.dispose();
      throw err;
    }
    return cluster;
  }

  /** Every process's recent output, for failure messages. */
  output(): string {
    return this.processes()
      .map((p) => p?.output(25))
      .join("\n");
  }

  private processes(): Array<ClusterProcess | undefined> {
    return [...this.gateways, ...this.sequencers, ...this.redistributors, this.sink];
  }

  /** Wraps a test body so a failure carries every process's output. */
  explained(body: () => Promise<void>): () => Promise<void> {
    return async () => {
      try {
        await body();
      } catch (err) {
        if (err instanceof Error) err.message += `\n${this.output()}`;
        throw err;
      }
    };
  }

  /** A dev-mode client connected to `gateway`, closed by dispose. */
  async connect(gateway: ClusterProcess, user: string): Promise<RawClient> {
    const client = await RawClient.connect(gateway.wsUrl, { user });
    this.clients.push(client);
    return client;
  }

  /** Rows of the sink's events table for `room`, ascending by seq. */
  async storedEvents(room: string): Promise<Array<{ seq: number; cmid: string }>> {
    return withAdmin(this.config.postgres, async (c) => {
      const { rows } = await c.query("SELECT seq::int, cmid FROM events WHERE room = $1 ORDER BY seq", [room]);
      return rows as Array<{ seq: number; cmid: string }>;
    });
  }

  /** Kills every process and client and drops the database. */
  async dispose(): Promise<void> {
    for (const c of this.clients) c.terminate();
    await Promise.all(this.processes().map((p) => p?.cleanup()));
    await dropTestDatabase(this.adminUrl, this.database);
  }
}

/** A new, empty database on the test PostgreSQL (`adminUrl`'s server): its name and URL. */
export async function createTestDatabase(adminUrl = testPostgresUrl()): Promise<{ database: string; url: string }> {
  const database = `parley_c_${process.pid}_${randomUUID().slice(0, 8)}`;
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${database}`));
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return { database, url: url.toString() };
}

/** Drops a database createTestDatabase made, whoever is still connected; never throws. */
export async function dropTestDatabase(adminUrl: string, database: string): Promise<void> {
  await withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => undefined);
}

async function withAdmin<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Publishes until acked, as the SDK's outbox does: the same cmid on every
 * try, so a retry after a failover is deduplicated, never doubled.
 */
export async function publishUntilAcked(
  connect: () => Promise<RawClient>,
  publish: { room: string; body: Json; cmid: string },
  deadlineMs = 45_000,
): Promise<AckFrame> {
  const { room, body, cmid } = publish;
  const deadline = Date.now() + deadlineMs;
  let client = await connect();
  for (;;) {
    try {
      const reply = await client.request({ t: "pub", room, cmid, body }, 20_000);
      if (reply.t === "ack") return reply;
      if (reply.t === "error" && !reply.retryable) throw new Error(`publish refused: ${JSON.stringify(reply)}`);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith("publish refused")) throw err;
      if (client.closeInfo) client = await connect();
    }
    if (Date.now() > deadline) throw new Error(`no ack for ${cmid} in ${room} within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
