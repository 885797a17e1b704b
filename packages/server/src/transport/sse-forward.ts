/**
 * SSE without sticky sessions: a POST for a session held by another gateway
 * of the cluster is forwarded to that gateway and its answer relayed. The
 * session id names its gateway (`<nodeId>.<uuid>`); the gateway's address
 * comes only from the cluster's own announcements (SseNodes), never from the
 * request, so a client cannot make a gateway call any other host. A forwarded
 * request carries FORWARDED_HEADER and is never forwarded again (one hop).
 */
import { randomUUID } from "node:crypto";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { SSE_PATH } from "./sse-transport.js";

/** Marks a POST one gateway forwarded to another; its receiver answers it locally whatever it says. */
export const FORWARDED_HEADER = "x-parley-forwarded";

/** How long a gateway waits for the session's gateway to answer a forwarded POST before answering 404. */
export const FORWARD_TIMEOUT_MS = 10_000;

/** The cluster's gateways as an SSE POST needs them. */
export interface SseNodes {
  /** This node's id: the prefix of the session ids it hands out. */
  readonly nodeId: string;
  /** The internal base URL (`http://10.0.0.7:8080`) node `nodeId` announced; undefined for this node or one not heard from. */
  urlOf(nodeId: string): string | undefined;
}

/** What the session's gateway answered, to be relayed as is. */
export interface RelayedReply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** A new unguessable session id: a random UUID, prefixed with the node's id in a cluster. */
export function newSessionId(nodes: SseNodes | undefined): string {
  return nodes ? `${nodes.nodeId}.${randomUUID()}` : randomUUID();
}

/** Where the gateway holding `sessionId` listens: undefined for a local, unprefixed or unknown one, or a forwarded request. */
export function ownerUrl(nodes: SseNodes | undefined, sessionId: string, req: IncomingMessage): string | undefined {
  const dot = sessionId.indexOf(".");
  if (!nodes || dot <= 0 || req.headers[FORWARDED_HEADER] !== undefined) return undefined;
  return nodes.urlOf(sessionId.slice(0, dot));
}

/** Response headers worth relaying: the rest are hop-by-hop or recomputed (content-length). */
const RELAYED = ["content-type", "access-control-allow-origin", "vary", "connection"] as const;

// Keep-alive: a busy SSE client POSTs many times a second; one TCP handshake per POST would cost more than the POST.
const agents = {
  http: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
};

/**
 * POSTs `body` to `/v1/sse/<sessionId>` on `baseUrl` with the client's Host,
 * Origin and content type (the owner checks them as it would have), and
 * resolves with its answer; undefined when it could not be reached or did not
 * answer within FORWARD_TIMEOUT_MS.
 */
export function forwardPost(
  baseUrl: string,
  sessionId: string,
  req: IncomingMessage,
  body: Buffer,
): Promise<RelayedReply | undefined> {
  return new Promise((resolve) => {
    // Built from the announced origin and the path alone: req.url may be absolute-form (`POST http://elsewhere/…`).
    const url = new URL(`${SSE_PATH}/${encodeURIComponent(sessionId)}`, baseUrl);
    const https = url.protocol === "https:";
    const headers: Record<string, string> = { [FORWARDED_HEADER]: "1", "content-length": String(body.length) };
    for (const name of ["host", "origin", "content-type"]) {
      const value = req.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    const send = https ? httpsRequest : httpRequest;
    const out = send(url, { method: "POST", headers, agent: https ? agents.https : agents.http }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(relayed(res, Buffer.concat(chunks))));
      res.on("error", () => resolve(undefined));
    });
    out.setTimeout(FORWARD_TIMEOUT_MS, () => out.destroy(new Error("forwarded POST timed out")));
    out.on("error", () => resolve(undefined));
    out.end(body);
  });
}

function relayed(res: IncomingMessage, body: Buffer): RelayedReply {
  const headers: Record<string, string> = {};
  for (const name of RELAYED) {
    const value = res.headers[name];
    if (typeof value === "string") headers[name] = value;
  }
  return { status: res.statusCode ?? 502, headers, body };
}
