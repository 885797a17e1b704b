import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { OPTIONS } from "./options.js";
import { formatDefault } from "./help.js";
import { optionEnv, optionFlag } from "./load-config.js";

const HEADER = `# Configuration

<!-- Generated from packages/server/src/config/options.ts by
     \`node packages/server/dist/config/config-doc.js --write\`.
     A test fails when this file is out of sync with the option table. -->

Every option can be given as a command-line flag (\`--data-dir ./data\`), as an
environment variable (\`PARLEY_DATA_DIR=./data\`) or in a JSON file passed with
\`--config path\` (or \`PARLEY_CONFIG\`) using the option name as key
(\`{"dataDir": "./data", "allowedOrigins": ["https://chat.example.com"]}\`).

Precedence: **flag > environment > config file > default**. A value of the
wrong type, an unknown flag or an unknown key in the config file stops
\`parley start\` with a message naming the option and exit code 2.

Booleans: \`--dev\`, \`--dev=false\`, \`--no-dev\`; in the environment and the
file \`true/false/1/0/yes/no\`. Lists: comma-separated (\`--allowed-origins a,b\`)
or a JSON array in the file.

## Authentication when nothing is configured

If none of \`dev\`, \`jwtSecret\`, \`jwtPublicKey\` and \`jwksUrl\` is set,
\`parley start\` generates a random HS256 secret once in
\`<dataDir>/secret.key\` (file mode 0600) and reuses it on later starts. Mint
tokens for it with \`parley token --user alice --data-dir <dataDir>\`.

With \`dev\`, anyone connects (WebSocket \`connect.user\`, REST \`X-Parley-User\`)
as any valid user name with every capability, and the server logs a warning at
start. Bearer tokens are still verified in dev mode: with the configured keys, or
else with \`<dataDir>/secret.key\` when it exists.

## The data dir is owner-only

Everything in \`dataDir\` is secret or private (every message, the secret, the
VAPID key), so \`parley start\` creates it with mode 0700 and the database
(\`parley.db\`, and SQLite's \`-wal\` and \`-shm\` files, which take its mode) with
0600, whatever the umask. An existing data dir or database file that grants
group or other users any access is tightened at start (0755 → 0700, 0644 →
0600; owner bits are left alone) and each change is logged as a warning
(\`data dir permissions tightened to owner-only\`, with the path and both modes).

\`allowedOrigins\` also governs CORS for the REST API under \`/v1\`: an allowed
\`Origin\` gets \`Access-Control-Allow-Origin\` and its preflights are answered.

Tokens: \`sub\` is the user id; the \`caps\` claim maps room patterns to
capabilities (\`{"general":["*"],"team-*":["subscribe","history"]}\`). A token
without \`caps\` has **no** room capabilities (least privilege). Without
\`--caps\`, \`parley token\` grants every room every capability except
\`delete_any\` (moderation: deleting anyone's messages, managing any room's
webhooks) and prints what it granted to stderr; moderators need an explicit
\`--caps\`. \`exp\` and \`nbf\` are checked. \`exp\` is required, and a token
living longer than \`jwtMaxLifetimeHours\` (default 24) is refused
(\`UNAUTHORIZED\`): its lifetime counts from \`iat\`, or from now when it has
none. \`jwtMaxLifetimeHours: 0\` lifts the limit, and then a token without
\`exp\` never expires. \`iss\`/\`aud\` are checked when \`jwtIssuer\`/\`jwtAudience\` are set. Algorithms are
pinned: HS256 for \`jwtSecret\`, RS256 for \`jwtPublicKey\`, RS256/ES256 for
\`jwksUrl\`; \`alg: none\` is always rejected.
`;

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** docs/configuration.md, rendered from OPTIONS. */
export function renderConfigurationDoc(): string {
  const rows = Object.entries(OPTIONS).map(
    ([name, spec]) =>
      `| \`${name}\` | \`--${optionFlag(name)}\` | \`${optionEnv(name)}\` | ${spec.type} | \`${cell(formatDefault(spec))}\` | ${cell(spec.help)} |`,
  );
  const table = [
    "| Option | Flag | Environment | Type | Default | Description |",
    "|---|---|---|---|---|---|",
    ...rows,
  ];
  return `${HEADER}\n## Options\n\n${table.join("\n")}\n`;
}

/** The rendered doc formatted by the repository's prettier settings, exactly as committed. */
export async function formattedConfigurationDoc(path: string): Promise<string> {
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(path)) ?? {};
  return prettier.format(renderConfigurationDoc(), { ...options, filepath: path });
}

/** Repository path of the generated doc, from dist/config/. */
export const CONFIGURATION_DOC = fileURLToPath(new URL("../../../../docs/configuration.md", import.meta.url));

if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] === "--write") {
  writeFileSync(CONFIGURATION_DOC, await formattedConfigurationDoc(CONFIGURATION_DOC));
}
