#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { ConfigError, loadConfig } from "../config/load-config.js";
import { helpRow, optionsHelp } from "../config/help.js";
import { createLogger, type Logger } from "../logger.js";
import { isClusterMode } from "../cluster/roles.js";
import { createParleyServer } from "../server.js";
import { findWebApp, NO_WEB_APP } from "../http/static-files.js";
import type { ParleyConfig } from "../config/options.js";
import { TOKEN_HELP, tokenCommand, type TokenOutput } from "./token-command.js";
import { SERVER_KEY_HELP, serverKeyCommand } from "./server-key-command.js";

/** Exit code for usage and configuration errors. */
const USAGE_EXIT = 2;

const MAIN_HELP = `Usage: parley <command> [options]

Commands:
  start       Run a Parley server (embedded SQLite store; with --kafka, a cluster role).
  token       Print a JWT for a user (HS256).
  server-key  Make a server key for a backend (the server API, docs/server-api.md).

Options:
  --help, -h     Show help (also: parley start --help, parley token --help, …).
  --version, -v  Print the version.
`;

const START_HELP = `Usage: parley start [options]

Options (flag > PARLEY_* environment > --config JSON file > default):
${helpRow("--config <file>", "JSON file of option names to values (env PARLEY_CONFIG).")}
${optionsHelp()}
`;

const SUBCOMMAND_HELP: Readonly<Record<string, string>> = {
  start: START_HELP,
  token: TOKEN_HELP,
  "server-key": SERVER_KEY_HELP,
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

async function start(argv: readonly string[]): Promise<void> {
  const { config, help } = loadConfig({ argv });
  if (help) return void process.stdout.write(START_HELP);
  const logger = createLogger(config.logLevel);
  defaultWebRoot(config, logger);
  // Without --kafka: embedded mode, exactly as before (Kafka and pg are not even loaded). With it: --role (docs/cluster.md).
  const server = isClusterMode(config)
    ? (await import("../cluster/cluster-node.js")).createClusterNode(config, logger)
    : createParleyServer(config, { logger });
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    // Last resort if something hangs: never outlive the configured grace period.
    setTimeout(() => process.exit(1), config.shutdownGraceMs + 1_000).unref();
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  // A stray rejection must not take every connection down with it; an uncaught exception leaves unknown state.
  process.on("unhandledRejection", (err) => logger.error({ err }, "unhandled rejection"));
  process.on("uncaughtException", (err) => {
    logger.fatal({ err }, "uncaught exception");
    process.exit(1);
  });
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  try {
    await server.start();
  } catch (err) {
    logger.fatal({ err }, "failed to start");
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
      process.stderr.write(`parley: port ${config.port} is in use; pick another with --port <n> (or PARLEY_PORT)\n`);
    }
    process.exit(1);
  }
}

/**
 * Without --web-root a node that answers HTTP serves the web app found beside the server,
 * or says at startup how to get one (`/` would otherwise be a bare JSON 404).
 * `--web-root ""` serves none, quietly.
 */
function defaultWebRoot(config: ParleyConfig, logger: Logger): void {
  const http = !isClusterMode(config) || config.role === "gateway" || config.role === "all";
  if (config.webRoot !== undefined || !http) return;
  config.webRoot = findWebApp();
  if (config.webRoot) logger.info({ webRoot: config.webRoot }, "serving the web app found beside the server at /");
  else logger.warn(NO_WEB_APP);
}

/** The token (or credential) alone on stdout (so `$(parley token …)` works); what it grants on stderr. */
function printToken(out: TokenOutput): void {
  process.stdout.write(out.stdout.replace(/\n?$/, "\n"));
  if (out.stderr) process.stderr.write(out.stderr + "\n");
}

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case "start":
      return start(rest);
    case "token":
      return printToken(await tokenCommand(rest, process.env));
    case "server-key":
      return printToken(serverKeyCommand(rest));
    case undefined:
    case "--help":
    case "-h":
    case "help":
      return void process.stdout.write(SUBCOMMAND_HELP[rest[0] ?? ""] ?? MAIN_HELP);
    case "--version":
    case "-v":
      return void process.stdout.write(version() + "\n");
    default:
      throw new ConfigError(`unknown command ${JSON.stringify(command)} (see parley --help)`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`parley: ${err.message}\n`);
    process.exit(USAGE_EXIT);
  }
  // inspect, not stack: it prints the chain of causes (why the log or store could not start).
  process.stderr.write(`parley: ${err instanceof Error ? inspect(err) : String(err)}\n`);
  process.exit(1);
});
