import { ConfigError } from "../config/load-config.js";

/**
 * Parses a subcommand's `--flag value` / `--flag=value` arguments (and `--help`, `-h`) into a
 * record; an unknown flag or a flag without a value is a ConfigError naming `command`.
 */
export function parseCommandFlags<F extends string>(
  argv: readonly string[],
  flags: readonly F[],
  command: string,
): Partial<Record<F | "help", string>> {
  const out: Partial<Record<F | "help", string>> = {};
  const args = argv.values(); // shared with the loop: a flag's value is the next argument
  for (const arg of args) {
    if (arg === "--help" || arg === "-h") {
      out.help = "true";
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = arg.slice(2, eq === -1 ? undefined : eq) as F;
    if (!arg.startsWith("--") || !flags.includes(flag))
      throw new ConfigError(`unknown ${command} option ${arg} (see parley ${command} --help)`);
    const value = eq === -1 ? args.next().value : arg.slice(eq + 1);
    if (value === undefined) throw new ConfigError(`--${flag} needs a value`);
    out[flag] = value;
  }
  return out;
}
