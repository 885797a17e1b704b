import type { EmbeddedConfig } from "#server/sqlite/open-embedded.js";

/** The embedded storage the log tests open: no fsync, small batches, a 2 ms commit interval. */
export function testEmbeddedConfig(dataDir: string, overrides: Partial<EmbeddedConfig> = {}): EmbeddedConfig {
  return {
    dataDir,
    durability: "normal",
    commitIntervalMs: 2,
    commitMaxBatch: 64,
    dedupeWindowHours: 24,
    ...overrides,
  };
}
