/**
 * Debian's `kcat` (librdkafka) as the outside producer and reader of the
 * inbound bridge's tests: records written and read by a client that shares no
 * code with Parley. Installed by scripts/ensure-debian-packages.sh; a test
 * fails, never skips, without it.
 */
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";

const KCAT = "/usr/bin/kcat";

/** One record to produce: a key and a value (any bytes as a string), on a given partition. */
export interface KcatRecord {
  readonly partition: number;
  readonly key: string;
  readonly value: string;
  /** Headers of this record, `name → value`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One record as kcat read it. */
export interface KcatMessage {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: ReadonlyMap<string, string>;
}

/**
 * Produces `records` in order with acks=all, one kcat run per run of records sharing a partition and
 * headers (kcat takes headers per run), so each partition receives its records in the given order.
 */
export async function kcatProduce(brokers: string, topic: string, records: readonly KcatRecord[]): Promise<void> {
  for (let i = 0; i < records.length;) {
    const first = records[i]!;
    const sameRun = (r: KcatRecord) =>
      r.partition === first.partition && JSON.stringify(r.headers ?? {}) === JSON.stringify(first.headers ?? {});
    let end = i;
    while (end < records.length && sameRun(records[end]!)) end++;
    await produceRun(brokers, topic, records.slice(i, end));
    i = end;
  }
}

async function produceRun(brokers: string, topic: string, run: readonly KcatRecord[]): Promise<void> {
  const first = run[0]!;
  const headers = Object.entries(first.headers ?? {}).flatMap(([k, v]) => ["-H", `${k}=${v}`]);
  const args = ["-P", "-b", brokers, "-t", topic, "-p", String(first.partition), "-K", "\t", "-X", "acks=all"];
  for (const r of run) {
    if (r.key.includes("\t") || r.key.includes("\n") || r.value.includes("\n")) {
      throw new Error(`kcatProduce: key and value must not hold tabs or newlines: ${JSON.stringify(r)}`);
    }
  }
  const input = run.map((r) => `${r.key}\t${r.value}\n`).join("");
  await new Promise<void>((resolve, reject) => {
    const child = spawn(KCAT, [...args, ...headers], { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", (err) => reject(new Error(`${KCAT} failed (scripts/ensure-debian-packages.sh): ${err}`)));
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`kcat -P exited ${code}: ${stderr}`))));
    child.stdin.end(input);
  });
}

/** Every committed record of `topic` from the beginning to the current end of each partition. */
export async function kcatRead(brokers: string, topic: string): Promise<KcatMessage[]> {
  const args = ["-C", "-b", brokers, "-t", topic, "-o", "beginning", "-e", "-q", "-J"];
  const { stdout } = await promisify(execFile)(KCAT, [...args, "-X", "isolation.level=read_committed"], {
    maxBuffer: 64 << 20,
  }).catch((err: unknown) => {
    throw new Error(`${KCAT} failed (installed by scripts/ensure-debian-packages.sh): ${String(err)}`);
  });
  return stdout
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => {
      const m = JSON.parse(line) as {
        partition: number;
        offset: number;
        key: string | null;
        payload: string | null;
        headers?: string[];
      };
      const pairs = m.headers ?? [];
      const headers = new Map<string, string>();
      for (let i = 0; i + 1 < pairs.length; i += 2) headers.set(pairs[i]!, pairs[i + 1]!);
      return { partition: m.partition, offset: m.offset, key: m.key, value: m.payload, headers };
    });
}
