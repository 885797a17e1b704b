import type { FetchLike } from "./sse-transport.js";
import type { Timers } from "./timers.js";
import type { AttemptFailure } from "./transport-selector.js";

/** Where and how to ask whether the server answers HTTP. */
export interface FailureCheckOptions {
  /** A plain GET of the WebSocket URL over HTTP(S) (`deriveCheckUrl`). */
  url: string;
  fetch: FetchLike;
  timers: Timers;
  /** An answer slower than this is no answer. */
  timeoutMs: number;
}

/**
 * Tells why a connect attempt failed by asking the same server over plain HTTP.
 * Any answer below 500 proves HTTP reaches a working server, so the transport
 * is what failed (`"transport"`). A network error (refused, reset, DNS), a
 * timeout, or a 5xx (a reverse proxy whose backend is gone: 502, 503, 504)
 * means the server is down (`"server"`).
 *
 * The GET is a CORS "simple" request: Parley answers every `/v1/` path with
 * `Access-Control-Allow-Origin` for an allowed origin (here a 404, since a
 * plain GET of `/v1/ws` is no route), so a browser app on another origin can
 * read it. An origin the server refuses gets a network error here, and then
 * SSE would be refused as well: nothing to fall back to.
 */
export async function classifyFailure(options: FailureCheckOptions, signal: AbortSignal): Promise<AttemptFailure> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  signal.addEventListener("abort", stop);
  const timer = options.timers.setTimeout(stop, options.timeoutMs);
  try {
    const res = await options.fetch(options.url, {
      method: "GET",
      cache: "no-store",
      credentials: "omit",
      signal: abort.signal,
    });
    // Only the status matters; release the connection.
    await res.body?.cancel().catch(() => undefined);
    return res.status >= 500 ? "server" : "transport";
  } catch {
    return "server";
  } finally {
    options.timers.clearTimeout(timer);
    signal.removeEventListener("abort", stop);
  }
}
