import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CONFIGURATION_DOC, formattedConfigurationDoc } from "#server/config/config-doc.js";
import { optionsHelp } from "#server/config/help.js";
import { ConfigError, loadConfig, optionEnv, optionFlag } from "#server/config/load-config.js";
import { OPTIONS, defaultConfig } from "#server/config/options.js";

const dir = mkdtempSync(join(tmpdir(), "parley-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(content: unknown): string {
  const path = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

describe("loadConfig", () => {
  it("gives the defaults with no input", () => {
    assert.deepEqual(loadConfig({ argv: [], env: {} }), { config: defaultConfig(), help: false });
  });

  it("applies flag > env > file > default", () => {
    const cfg = file({ port: 1111, dataDir: "/from-file", logLevel: "debug", heartbeatMs: 7 });
    const env = { PARLEY_PORT: "2222", PARLEY_DATA_DIR: "/from-env" };
    const { config } = loadConfig({ argv: ["--config", cfg, "--port", "3333"], env });
    assert.equal(config.port, 3333);
    assert.equal(config.dataDir, "/from-env");
    assert.equal(config.logLevel, "debug");
    assert.equal(config.heartbeatMs, 7);
    assert.equal(config.heartbeatTimeoutMs, OPTIONS.heartbeatTimeoutMs.default);
  });

  it("reads the config file from PARLEY_CONFIG", () => {
    const { config } = loadConfig({ argv: [], env: { PARLEY_CONFIG: file({ host: "127.0.0.1" }) } });
    assert.equal(config.host, "127.0.0.1");
  });

  it("parses every flag form and type", () => {
    const argv = [
      "--data-dir=/d",
      "--heartbeat-timeout-ms",
      "99",
      "--allowed-origins",
      "a, b,",
      "--dev",
      "--no-metrics",
    ];
    const { config } = loadConfig({ argv, env: { PARLEY_DEV: "false" } });
    assert.equal(config.dataDir, "/d");
    assert.equal(config.heartbeatTimeoutMs, 99);
    assert.deepEqual(config.allowedOrigins, ["a", "b"]);
    assert.equal(config.dev, true);
    assert.equal(config.metrics, false);
    assert.equal(loadConfig({ argv: ["--dev=false"], env: {} }).config.dev, false);
    assert.equal(loadConfig({ argv: [], env: { PARLEY_DEV: "yes" } }).config.dev, true);
    assert.deepEqual(loadConfig({ argv: [], env: {} }).config.allowedOrigins, []);
    assert.deepEqual(
      loadConfig({ argv: ["--config", file({ allowedOrigins: ["x"] })], env: {} }).config.allowedOrigins,
      ["x"],
    );
    assert.equal(loadConfig({ argv: ["--help"], env: {} }).help, true);
  });

  const bad: [string, string[], Record<string, string>, RegExp][] = [
    ["a non-integer flag", ["--port", "abc"], {}, /--port: expected a non-negative integer/],
    ["a negative integer", ["--heartbeat-ms=-5"], {}, /--heartbeat-ms/],
    ["a port out of range", ["--port", "70000"], {}, /--port: must be a port number/],
    ["a bad env boolean", [], { PARLEY_DEV: "maybe" }, /PARLEY_DEV: expected true or false/],
    ["a bad enum", ["--durability", "sometimes"], {}, /--durability: must be `full` or `normal`/],
    ["a bad log level", [], { PARLEY_LOG_LEVEL: "loud" }, /PARLEY_LOG_LEVEL/],
    ["an unknown flag", ["--colour", "red"], {}, /unknown option --colour/],
    ["a missing value", ["--port"], {}, /--port needs a value/],
    ["a stray argument", ["now"], {}, /unexpected argument "now"/],
    ["--no- on a non-boolean", ["--no-port"], {}, /unknown option --no-port/],
  ];
  for (const [what, argv, env, message] of bad) {
    it(`rejects ${what} naming the option`, () => {
      assert.throws(
        () => loadConfig({ argv, env }),
        (err: unknown) => err instanceof ConfigError && message.test(err.message),
      );
    });
  }

  it("rejects bad config files naming the problem", () => {
    const cases: [unknown, RegExp][] = [
      ["{nope", /not valid JSON/],
      [[1], /must be a JSON object/],
      [{ prot: 1 }, /unknown option "prot"/],
      [{ port: "8080" }, /config file option "port": expected a non-negative integer/],
      [{ allowedOrigins: "a,b" }, /config file option "allowedOrigins": expected a list/],
      [{ dev: "true" }, /config file option "dev": expected true or false/],
    ];
    for (const [content, message] of cases) {
      assert.throws(() => loadConfig({ argv: ["--config", file(content)], env: {} }), message);
    }
    assert.throws(
      () => loadConfig({ argv: ["--config", join(dir, "missing.json")], env: {} }),
      /cannot read \(ENOENT\)/,
    );
  });
});

describe("option names", () => {
  it("map to kebab flags and PARLEY_ env names", () => {
    assert.equal(optionFlag("heartbeatTimeoutMs"), "heartbeat-timeout-ms");
    assert.equal(optionEnv("dataDir"), "PARLEY_DATA_DIR");
  });
});

describe("generated docs", () => {
  it("help lists every option with its flag and env name", () => {
    const help = optionsHelp();
    for (const name of Object.keys(OPTIONS)) {
      assert.match(help, new RegExp(`--${optionFlag(name)}\\b`));
      assert.ok(help.includes(optionEnv(name)), name);
    }
  });

  it("docs/configuration.md is in sync with OPTIONS (regenerate: node packages/server/dist/config/config-doc.js --write)", async () => {
    assert.equal(readFileSync(CONFIGURATION_DOC, "utf8"), await formattedConfigurationDoc(CONFIGURATION_DOC));
  });
});
