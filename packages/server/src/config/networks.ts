/** Address networks as options name them (`outboundAllowedNetworks`). */
import ipaddr from "ipaddr.js";

export type Network = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses `10.0.0.0/8`, `fd00::/8` or a single address; throws on anything else. */
export function parseNetwork(entry: string): Network {
  if (ipaddr.isValidCIDR(entry)) return ipaddr.parseCIDR(entry);
  const addr = ipaddr.parse(entry); // throws when not an address
  return [addr, addr.kind() === "ipv4" ? 32 : 128];
}
