import { SseTransport, type FetchLike } from "./sse-transport.js";
import type { Transport, TransportHandlers, TransportKind, WebSocketConstructor } from "./transport.js";
import { DEFAULT_TRANSPORT_FALLBACK, type TransportFallbackOptions } from "./transport-selector.js";
import { WebSocketTransport } from "./websocket-transport.js";

/** The transport part of the client options. */
export interface TransportOptions {
  /** The WebSocket implementation. Default: `globalThis.WebSocket` (the `node` entry point passes `ws`). */
  WebSocket?: WebSocketConstructor;
  /** Transports in order of preference. Default `["websocket", "sse"]`: WebSocket, with SSE + POST as fallback. */
  transports?: TransportKind[];
  /** SSE stream URL. Default: derived from `url` (`ws://host/v1/ws` → `http://host/v1/sse`). */
  sseUrl?: string;
  /** The fetch SSE uses. Default: `globalThis.fetch`. */
  fetch?: FetchLike;
  /** When to fall back and when to probe the preferred transport again. */
  transportFallback?: Partial<TransportFallbackOptions>;
}

/** Transport options with defaults applied; `transports` keeps only those this runtime can use. */
export interface ResolvedTransportOptions {
  url: string;
  WebSocket: WebSocketConstructor | undefined;
  transports: TransportKind[];
  sseUrl: string | undefined;
  fetch: FetchLike | undefined;
  /** Where a failed attempt asks whether the server answers HTTP (`transport-failure.ts`). */
  checkUrl: string | undefined;
  transportFallback: TransportFallbackOptions;
}

const KINDS: readonly TransportKind[] = ["websocket", "sse"];

/** Applies defaults; throws when no listed transport can work here. */
export function resolveTransportOptions(options: TransportOptions & { url: string }): ResolvedTransportOptions {
  const requested = options.transports ?? ["websocket", "sse"];
  for (const kind of requested) {
    if (!KINDS.includes(kind)) throw new Error(`parley: unknown transport ${JSON.stringify(kind)}`);
  }
  const resolved: ResolvedTransportOptions = {
    url: options.url,
    WebSocket: options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket,
    transports: [],
    sseUrl: options.sseUrl ?? deriveSseUrl(options.url),
    fetch: options.fetch ?? (globalThis.fetch ? (url, init) => globalThis.fetch(url, init) : undefined),
    checkUrl: deriveCheckUrl(options.url),
    transportFallback: { ...DEFAULT_TRANSPORT_FALLBACK, ...options.transportFallback },
  };
  resolved.transports = requested.filter((kind) => usable(kind, resolved));
  if (resolved.transports.length === 0) {
    throw new Error(
      `parley: no usable transport among ${requested.join(", ")}; pass \`WebSocket\` (or use the \`@parley/client/node\` entry), or \`fetch\` and \`sseUrl\` for SSE`,
    );
  }
  return resolved;
}

/** Opens a transport of `kind` (one the options list as usable). */
export function openTransport(
  kind: TransportKind,
  options: ResolvedTransportOptions,
  handlers: TransportHandlers,
): Transport {
  if (kind === "websocket") {
    if (!options.WebSocket) throw new Error("parley: the websocket transport needs a `WebSocket` implementation");
    return new WebSocketTransport(options.WebSocket, options.url, handlers);
  }
  const { fetch, sseUrl } = options;
  if (!fetch || !sseUrl) throw new Error("parley: the sse transport needs `fetch` and `sseUrl`");
  return new SseTransport(fetch, sseUrl, handlers);
}

/** `ws[s]://host/prefix/ws` → `http[s]://host/prefix/sse`; undefined when `url` does not end in `/ws`. */
export function deriveSseUrl(url: string): string | undefined {
  const parsed = httpUrl(url);
  if (!parsed || !/\/ws\/?$/.test(parsed.pathname)) return undefined;
  parsed.pathname = parsed.pathname.replace(/\/ws\/?$/, "/sse");
  return parsed.href;
}

/** `ws[s]://host/path` → `http[s]://host/path`: the same server over plain HTTP. */
export function deriveCheckUrl(url: string): string | undefined {
  return httpUrl(url)?.href;
}

/** `url` with a WebSocket scheme turned into its HTTP one; undefined when it does not parse. */
function httpUrl(url: string): URL | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  // ws → http and wss → https keep the default port, so the URL stays the same server.
  parsed.protocol = { "ws:": "http:", "wss:": "https:" }[parsed.protocol] ?? parsed.protocol;
  // fetch refuses a URL with credentials; a fragment is never sent.
  parsed.username = parsed.password = parsed.hash = "";
  return parsed;
}

function usable(kind: TransportKind, options: ResolvedTransportOptions): boolean {
  if (kind === "websocket") return options.WebSocket !== undefined;
  return options.fetch !== undefined && options.sseUrl !== undefined;
}
