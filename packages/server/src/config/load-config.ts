import { readFileSync } from "node:fs";
import { parseNetwork } from "./networks.js";
import { OPTIONS, defaultConfig, type OptionName, type OptionSpec, type ParleyConfig } from "./options.js";

/** A configuration mistake; the CLI prints it and exits with code 2. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** `dataDir` → `data-dir`. */
export function optionFlag(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `dataDir` → `PARLEY_DATA_DIR`. */
export function optionEnv(name: string): string {
  return `PARLEY_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

const FLAG_TO_OPTION = new Map(Object.keys(OPTIONS).map((name) => [optionFlag(name), name as OptionName]));
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** Value checks beyond the type, so a typo fails at start instead of at first use. */
const CHECKS: Partial<Record<OptionName, (v: never) => string | undefined>> = {
  port: (v: number) => (v > 65_535 ? "must be a port number (0–65535)" : undefined),
  durability: (v: string) => (v === "full" || v === "normal" ? undefined : "must be `full` or `normal`"),
  userDirectory: (v: string) => (v === "shared" || v === "everyone" ? undefined : "must be `shared` or `everyone`"),
  outboundAllowedNetworks: (v: string[]) => {
    const bad = v.find((entry) => !networkValid(entry));
    return bad === undefined ? undefined : `${JSON.stringify(bad)} is not an address or CIDR network`;
  },
  logLevel: (v: string) => (LOG_LEVELS.includes(v) ? undefined : `must be one of ${LOG_LEVELS.join(", ")}`),
};

function networkValid(entry: string): boolean {
  try {
    parseNetwork(entry);
    return true;
  } catch {
    return false;
  }
}

/** Where a raw value came from, for error messages. */
type Source = "flag" | "env" | "file";

function describe(name: string, source: Source): string {
  if (source === "flag") return `--${optionFlag(name)}`;
  if (source === "env") return optionEnv(name);
  return `config file option "${name}"`;
}

/** Converts a raw flag, env or file value to the option's type; throws ConfigError naming the option. */
export function coerceOption(name: OptionName, raw: unknown, source: Source): unknown {
  const spec: OptionSpec = OPTIONS[name];
  // A JSON file has real types: "8080" there is a mistake, while flags and env are always strings.
  const value =
    source === "file" && spec.type !== "string" && typeof raw === "string" ? undefined : coerceType(spec, raw);
  if (value === undefined) {
    throw new ConfigError(`${describe(name, source)}: expected ${typeWord(spec)}, got ${JSON.stringify(raw)}`);
  }
  const problem = CHECKS[name]?.(value as never);
  if (problem) throw new ConfigError(`${describe(name, source)}: ${problem}, got ${JSON.stringify(raw)}`);
  return value;
}

function typeWord(spec: OptionSpec): string {
  const words = { string: "a string", int: "a non-negative integer", bool: "true or false", list: "a list" };
  return words[spec.type];
}

function coerceType(spec: OptionSpec, raw: unknown): unknown {
  switch (spec.type) {
    case "string":
      return typeof raw === "string" ? raw : undefined;
    case "int":
      if (typeof raw === "number") return Number.isSafeInteger(raw) && raw >= 0 ? raw : undefined;
      return typeof raw === "string" && /^\d{1,15}$/.test(raw.trim()) ? Number(raw.trim()) : undefined;
    case "bool":
      if (typeof raw === "boolean") return raw;
      if (typeof raw !== "string") return undefined;
      if (["true", "1", "yes", "on"].includes(raw.toLowerCase())) return true;
      return ["false", "0", "no", "off"].includes(raw.toLowerCase()) ? false : undefined;
    case "list":
      if (Array.isArray(raw)) return raw.every((x) => typeof x === "string") ? [...raw] : undefined;
      if (typeof raw !== "string") return undefined;
      return raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
  }
}

/** Parsed command line: option flags by option name, plus `--config` and `--help`. */
export interface ParsedFlags {
  readonly options: Partial<Record<OptionName, string | boolean>>;
  readonly configFile: string | undefined;
  readonly help: boolean;
}

/**
 * Parses `--kebab-name value`, `--kebab-name=value`, `--bool-flag` and
 * `--no-bool-flag`. Unknown flags and stray arguments throw ConfigError.
 */
export function parseOptionFlags(argv: readonly string[]): ParsedFlags {
  const options: Partial<Record<OptionName, string | boolean>> = {};
  let configFile: string | undefined;
  let help = false;
  const args = argv.values(); // shared with the loop: a flag's value is the next argument
  for (const arg of args) {
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (!arg.startsWith("--")) throw new ConfigError(`unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf("=");
    const flag = arg.slice(2, eq === -1 ? undefined : eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const next = args.next().value;
      if (next === undefined || next.startsWith("--")) throw new ConfigError(`--${flag} needs a value`);
      return next;
    };
    if (flag === "config") {
      configFile = takeValue();
      continue;
    }
    const [name, value] = flagValue(flag, inline, takeValue);
    options[name] = value;
  }
  return { options, configFile, help };
}

function flagValue(flag: string, inline: string | undefined, take: () => string): [OptionName, string | boolean] {
  const name = FLAG_TO_OPTION.get(flag);
  if (name && OPTIONS[name].type === "bool") return [name, inline ?? true];
  if (name) return [name, take()];
  const negated = flag.startsWith("no-") ? FLAG_TO_OPTION.get(flag.slice(3)) : undefined;
  if (negated && OPTIONS[negated].type === "bool" && inline === undefined) return [negated, false];
  throw new ConfigError(`unknown option --${flag} (see --help)`);
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(`--config ${path}: cannot read (${reason})`, { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`--config ${path}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(`--config ${path}: must be a JSON object of option names to values`);
  }
  return value as Record<string, unknown>;
}

/** Inputs of loadConfig; `env` defaults to process.env. */
export interface LoadConfigInput {
  readonly argv: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

/** Resolves the configuration: flag > PARLEY_* env > JSON config file > default. Throws ConfigError. */
export function loadConfig(input: LoadConfigInput): { config: ParleyConfig; help: boolean } {
  const env = input.env ?? process.env;
  const flags = parseOptionFlags(input.argv);
  const configFile = flags.configFile ?? env.PARLEY_CONFIG;
  const file = configFile ? readConfigFile(configFile) : {};
  for (const key of Object.keys(file)) {
    if (!(key in OPTIONS)) throw new ConfigError(`config file ${configFile}: unknown option "${key}"`);
  }
  const config: Record<string, unknown> = defaultConfig();
  for (const name of Object.keys(OPTIONS) as OptionName[]) {
    if (flags.options[name] !== undefined) config[name] = coerceOption(name, flags.options[name], "flag");
    else if (env[optionEnv(name)] !== undefined) config[name] = coerceOption(name, env[optionEnv(name)], "env");
    else if (file[name] !== undefined) config[name] = coerceOption(name, file[name], "file");
  }
  return { config: config as ParleyConfig, help: flags.help };
}
