import { networkInterfaces } from "node:os";
import type { ParleyConfig } from "../config/options.js";
import { ConfigError } from "../config/load-config.js";
import { listenHost } from "../server.js";

/**
 * The URL other gateways reach this one at (`--advertise-url`), by default
 * from where it listens: `host` when it names one interface, else this
 * machine's first non-internal IPv4 address (every interface: the others
 * cannot use 0.0.0.0), else loopback; with the bound port and the scheme TLS implies.
 */
export function advertiseUrl(
  config: Pick<ParleyConfig, "advertiseUrl" | "host" | "dev" | "tlsCert">,
  port: number,
): string {
  if (config.advertiseUrl) return checkedOrigin(config.advertiseUrl);
  const bind = listenHost(config);
  const wildcard = bind === "0.0.0.0" || bind === "::" || bind === "";
  const host = wildcard ? (externalIpv4() ?? "127.0.0.1") : bind;
  return `${config.tlsCert ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

function externalIpv4(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return undefined;
}

/** The origin of an `--advertise-url`; throws ConfigError unless it is an http(s) URL. */
export function checkedOrigin(text: string): string {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url?.protocol !== "http:" && url?.protocol !== "https:") {
    throw new ConfigError(`--advertise-url: must be an http(s)://host:port URL, got ${JSON.stringify(text)}`);
  }
  return url.origin;
}
