/** @parley/client for Node: the core with the `ws` package as its WebSocket. */
import WebSocket from "ws";
import { ParleyClient as CoreClient } from "./client.js";
import type { ParleyClientOptions } from "./options.js";
import type { WebSocketConstructor } from "./transport.js";

export * from "./index.js";

/** The `ws` constructor typed as the client's minimal WebSocket (ws's event types are richer, hence the cast). */
export const NodeWebSocket = WebSocket as unknown as WebSocketConstructor;

/** A ParleyClient that uses `ws` unless `WebSocket` is given. */
export class ParleyClient extends CoreClient {
  constructor(options: ParleyClientOptions) {
    super({ WebSocket: NodeWebSocket, ...options });
  }
}
