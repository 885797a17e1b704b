import type { IncomingMessage, ServerResponse } from "node:http";
import { ParleyError } from "@parley/protocol";
import type { Authenticator } from "../auth/authenticator.js";
import type { Principal } from "../auth/principal.js";
import type { ServerKeys } from "../auth/server-keys.js";
import type { ParleyConfig } from "../config/options.js";
import type { EventLog } from "../log/event-log.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics/metrics.js";
import type { AdminNodes } from "./admin-nodes.js";
import type { NotifyHttp } from "../notify/notify-http.js";
import type { Policy } from "../policy/policy.js";
import type { RoomOccupancy } from "../presence/presence.js";
import type { Store } from "../store/store.js";

/** The part of the Gateway the HTTP layer uses (the real Gateway satisfies it structurally). */
export interface GatewayView {
  handleSse(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
  handleSsePost(req: IncomingMessage, res: ServerResponse, sessionId: string): void | Promise<void>;
  presenceOf(room: string): { user: string; connections: number }[];
  stats(): { connections: number; users: number; rooms: number };
  /** The rooms with the most events per second lately, busiest first. */
  busiestRooms(limit: number): { room: string; perSecond: number }[];
  /** Every room someone is in, with users and connections (cluster-wide in a cluster). */
  occupancy(): RoomOccupancy[];
  /** Closes `user`'s sessions on every node; resolves with how many this node closed. */
  disconnectUser(user: string, reconnect: boolean): Promise<number>;
  /** The user's publish token bucket, shared with WebSocket publishes so REST is no way around the limit. */
  userBucket(user: string): { take(nowMs: number): boolean };
}

/** Everything REST handlers need. */
export interface HttpContext {
  readonly config: ParleyConfig;
  readonly log: EventLog;
  readonly store: Store;
  /** Room access, the publish pipeline and the history pager, shared with the gateway. */
  readonly policy: Policy;
  readonly auth: Authenticator;
  /** The backends' credentials (server API, admin dashboard): `serverKeys.authorize(req, scope)`. */
  readonly serverKeys: ServerKeys;
  readonly gateway: GatewayView;
  readonly logger: Logger;
  readonly metrics?: Metrics | undefined;
  /** Push subscriptions and webhooks (notify/); absent when the node has no notify store. */
  readonly notify?: NotifyHttp | undefined;
  /** The cluster's other nodes, for the admin dashboard; absent in embedded mode. */
  readonly nodes?: AdminNodes | undefined;
}

/** Authenticates a REST request: `Authorization: Bearer <jwt>`, or `X-Parley-User` (dev mode only). */
export async function principalOf(ctx: HttpContext, req: IncomingMessage): Promise<Principal> {
  const header = req.headers.authorization;
  const bearer = header && /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (header && !bearer) throw new ParleyError("UNAUTHORIZED", "Authorization must be `Bearer <token>`");
  const user = req.headers["x-parley-user"];
  return ctx.auth.authenticate({
    token: bearer || undefined,
    user: bearer ? undefined : typeof user === "string" ? user : undefined,
  });
}
