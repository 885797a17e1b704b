import { OPTIONS, type OptionSpec } from "./options.js";
import { optionEnv, optionFlag } from "./load-config.js";

/** A default rendered for humans: lists joined by commas, unset as "(unset)". */
export function formatDefault(spec: OptionSpec): string {
  const d = spec.default;
  if (d === undefined) return "(unset)";
  if (Array.isArray(d)) return d.length === 0 ? "(empty)" : d.join(",");
  return String(d);
}

function placeholder(spec: OptionSpec): string {
  return { string: " <string>", int: " <int>", bool: "", list: " <a,b,…>" }[spec.type];
}

/** One aligned help row: the flag column, then the description. */
export function helpRow(flag: string, text: string): string {
  return `  ${flag.padEnd(38)} ${text}`;
}

/** The option list of `parley start --help`, generated from OPTIONS. */
export function optionsHelp(): string {
  const rows = Object.entries(OPTIONS).map(([name, spec]) => {
    const details = `default: ${formatDefault(spec)}; env ${optionEnv(name)}`;
    return `${helpRow(`--${optionFlag(name)}${placeholder(spec)}`, spec.help)}\n${helpRow("", details)}`;
  });
  return rows.join("\n");
}
