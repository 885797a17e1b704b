import type { IncomingMessage, ServerResponse } from "node:http";

/** Path parameters by name, already URI-decoded. */
export type Params = Readonly<Record<string, string>>;

/** A route handler; it owns the response. */
export type Handler = (req: IncomingMessage, res: ServerResponse, params: Params, url: URL) => void | Promise<void>;

/** A registered route, as listed for the OpenAPI check. */
export interface RouteInfo {
  readonly method: string;
  /** OpenAPI-style path: `/v1/rooms/{room}/messages`. */
  readonly path: string;
}

interface Route extends RouteInfo {
  readonly segments: readonly string[];
  readonly handler: Handler;
}

/** The outcome of matching a request: a handler, a known path with the wrong method, or nothing. */
export type Match =
  | { kind: "found"; handler: Handler; params: Params }
  | { kind: "method-not-allowed"; allow: string[] }
  | { kind: "none" };

/**
 * A tiny exact-segment router: `{name}` segments capture one path segment.
 * Routes are tried in registration order, so literal routes such as
 * `/v1/rooms/public` must be added before `/v1/rooms/{room}`.
 */
export class Router {
  private readonly table: Route[] = [];

  /** Registers `handler` for `method` on an OpenAPI-style `path`. */
  add(method: string, path: string, handler: Handler): this {
    this.table.push({ method, path, segments: path.split("/").slice(1), handler });
    return this;
  }

  /** Every registered route. */
  routes(): RouteInfo[] {
    return this.table.map(({ method, path }) => ({ method, path }));
  }

  /** Finds the handler for a method and URL pathname. */
  match(method: string, pathname: string): Match {
    const parts = pathname.split("/").slice(1);
    const allow: string[] = [];
    for (const route of this.table) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method || (method === "HEAD" && route.method === "GET")) {
        return { kind: "found", handler: route.handler, params };
      }
      allow.push(route.method);
    }
    return allow.length > 0 ? { kind: "method-not-allowed", allow } : { kind: "none" };
  }
}

function matchSegments(pattern: readonly string[], parts: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, p] of pattern.entries()) {
    const part = parts[i] ?? "";
    if (p.startsWith("{") && p.endsWith("}")) {
      if (part === "") return undefined;
      try {
        params[p.slice(1, -1)] = decodeURIComponent(part);
      } catch {
        return undefined; // malformed percent-encoding: treat as no route
      }
    } else if (p !== part) return undefined;
  }
  return params;
}
