import { readFileSync, renameSync, writeFileSync } from "node:fs";
import {
  SERVER_KEY_ID_PATTERN,
  SERVER_KEY_SCOPES,
  newServerKey,
  type ServerKeyEntry,
  type ServerKeyScope,
} from "../auth/server-keys.js";
import { ConfigError } from "../config/load-config.js";
import { parseCommandFlags } from "./command-flags.js";
import type { TokenOutput } from "./token-command.js";

/** Usage of `parley server-key`. */
export const SERVER_KEY_HELP = `Usage: parley server-key --id <id> [options]

Makes a new server key for a backend (docs/server-api.md). Prints the credential
(<id>.<secret>, shown once: the server keeps only its SHA-256) on stdout and the
entry of the keys file (the serverKeysFile option) on stderr.

  --id <id>         Key id, ${SERVER_KEY_ID_PATTERN.source}. Required.
  --scopes <list>   Comma-separated: ${SERVER_KEY_SCOPES.join(", ")} (default api).
  --file <path>     Also add the entry to this keys file (created if missing;
                    replaced atomically, so a running server reloads it whole).
`;

const FLAGS = ["id", "scopes", "file"] as const;

/** `parley server-key`: a new credential and its keys-file entry, or the help text. Throws ConfigError on bad input. */
export function serverKeyCommand(argv: readonly string[]): TokenOutput {
  const f = parseCommandFlags(argv, FLAGS, "server-key");
  if (f.help) return { stdout: SERVER_KEY_HELP };
  if (!f.id || !SERVER_KEY_ID_PATTERN.test(f.id))
    throw new ConfigError(`--id is required and must match ${SERVER_KEY_ID_PATTERN.source}`);
  const { credential, entry } = newServerKey(f.id, parseScopes(f.scopes ?? "api"));
  if (f.file) {
    addToKeysFile(f.file, entry);
    return { stdout: credential, stderr: `parley server-key: added ${f.id} (${entry.scopes.join(",")}) to ${f.file}` };
  }
  return { stdout: credential, stderr: `add to the "keys" list of your serverKeysFile:\n${JSON.stringify(entry)}` };
}

function parseScopes(list: string): ServerKeyScope[] {
  const scopes = [...new Set(list.split(",").map((s) => s.trim()))];
  for (const s of scopes)
    if (!SERVER_KEY_SCOPES.includes(s as ServerKeyScope))
      throw new ConfigError(`unknown scope ${JSON.stringify(s)}: use ${SERVER_KEY_SCOPES.join(", ")}`);
  return scopes as ServerKeyScope[];
}

/** Adds `entry` to the keys file (refusing a second key of the same id), written to a temp file and renamed over it. */
function addToKeysFile(file: string, entry: ServerKeyEntry): void {
  let doc: { keys: ServerKeyEntry[] } = { keys: [] };
  try {
    doc = JSON.parse(readFileSync(file, "utf8")) as { keys: ServerKeyEntry[] };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT")
      throw new ConfigError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(doc.keys)) throw new ConfigError(`${file} has no "keys" list`);
  if (doc.keys.some((k) => k.id === entry.id)) throw new ConfigError(`${file} already has a key ${entry.id}`);
  doc.keys.push(entry);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(doc, null, 2) + "\n", { mode: 0o600 });
  renameSync(temp, file);
}
