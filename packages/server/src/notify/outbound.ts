/**
 * Where webhooks and Web Push may send requests. Both aim the server at a URL
 * a user chose, so by default only public unicast addresses are reachable:
 * loopback, private (RFC 1918, fc00::/7), CGNAT (100.64/10), link-local (the
 * cloud metadata service at 169.254.169.254), unspecified, multicast and the
 * other special ranges are refused unless `outboundAllowedNetworks` lists them.
 *
 * The check is on resolved addresses, inside the socket's own DNS lookup, so
 * the address checked is the address connected to: a name that resolves to a
 * public address when the hook is created and to 127.0.0.1 at delivery (DNS
 * rebinding) is refused at delivery. Any refused or failed request reads the
 * same to the caller ("delivery failed"): the reason is only logged, so a hook
 * cannot be used to scan ports.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import { ParleyError } from "@parley/protocol";
import { parseNetwork, type Network } from "../config/networks.js";

/** Resolves a host name to every address it has. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

/** A request went to, or resolved to, an address the policy refuses. */
export class OutboundRefusedError extends Error {
  override readonly name = "OutboundRefusedError";
}

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

/** A URL's hostname without the brackets of an IPv6 literal. */
function unbracketed(hostname: string): string {
  return hostname.replace(/^\[(.*)\]$/, "$1");
}

/** What an outbound POST answered. */
export interface OutboundResponse {
  readonly status: number;
}

/** The address rule, and the POST that keeps to it. One per node; its agents keep connections alive. */
export class OutboundPolicy {
  private readonly allowed: readonly Network[];
  private readonly agents: { http: HttpAgent; https: HttpsAgent };

  constructor(
    allowedNetworks: readonly string[],
    private readonly resolver: Resolver = systemResolver,
  ) {
    this.allowed = allowedNetworks.map(parseNetwork);
    const lookup = this.lookup;
    this.agents = {
      http: new HttpAgent({ keepAlive: true, lookup }),
      https: new HttpsAgent({ keepAlive: true, lookup }),
    };
  }

  /** Whether a request may go to `ip`: a public unicast address, or one inside an allowed network. */
  addressAllowed(ip: string): boolean {
    const addr = ipaddr.process(ip); // an IPv4-mapped IPv6 address is judged as the IPv4 address it is
    if (addr.range() === "unicast") return true;
    return this.allowed.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits));
  }

  /** The addresses `hostname` (a name or an IP literal, IPv6 in brackets or not) stands for; throws when one is refused. */
  async addressesOf(hostname: string): Promise<LookupAddress[]> {
    const host = unbracketed(hostname);
    const family = isIP(host);
    const addresses = family ? [{ address: host, family }] : await this.resolver(host);
    // Every answer must pass: a name with one public and one internal address could otherwise pick either.
    const refused = addresses.find((a) => !this.addressAllowed(a.address));
    if (refused || addresses.length === 0) {
      throw new OutboundRefusedError(`${host} resolves to ${refused?.address ?? "nothing"}, which is not allowed`);
    }
    return addresses;
  }

  /** Refuses, as BAD_REQUEST naming `field`, a URL whose host is, or resolves to, a refused address or nothing. */
  async checkUrl(url: string, field: string): Promise<void> {
    const host = new URL(url).hostname;
    try {
      await this.addressesOf(host);
    } catch (err) {
      if (!(err instanceof OutboundRefusedError))
        throw new ParleyError("BAD_REQUEST", `\`${field}\` host ${host} does not resolve`, { cause: err });
      const hint = "only public addresses are allowed unless outboundAllowedNetworks lists the network";
      // The refusal's message says which address was refused: meant for the client.
      throw new ParleyError("BAD_REQUEST", `\`${field}\`: ${err.message} (${hint})`, { cause: err });
    }
  }

  /** `lookup` for the sockets of our agents: resolve once, check, and connect to what was checked. */
  readonly lookup: LookupFunction = (hostname: string, options: LookupOptions, callback) => {
    this.addressesOf(hostname).then(
      (all) => {
        const wanted =
          options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
        const [first] = wanted;
        if (!first) return callback(new OutboundRefusedError(`${hostname}: no address`), "", 0);
        if (options.all) return callback(null, wanted);
        callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, "", 0),
    );
  };

  /**
   * POSTs `body` to `url` (redirects are not followed) and drains the answer.
   * An IP literal is checked here, since sockets only call `lookup` for names.
   */
  async post(
    url: string,
    headers: OutgoingHttpHeaders,
    body: string | Buffer,
    signal: AbortSignal,
  ): Promise<OutboundResponse> {
    const target = new URL(url);
    if (isIP(unbracketed(target.hostname))) await this.addressesOf(target.hostname);
    const https = target.protocol === "https:";
    const send = https ? httpsRequest : httpRequest;
    const agent = https ? this.agents.https : this.agents.http;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(target, { method: "POST", headers, agent, signal }, resolve);
      req.on("error", reject);
      req.end(body);
    });
    res.resume(); // drain, so the connection is reused
    await new Promise<void>((resolve, reject) => res.on("end", resolve).on("error", reject));
    return { status: res.statusCode ?? 0 };
  }

  /** Closes idle kept-alive connections. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
