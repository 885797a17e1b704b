/** @parley/client core: runtime-neutral; pick `@parley/client/node` or `@parley/client/browser` for defaults. */
export { ParleyClient, type ClientEvents, type SearchOptions } from "./client.js";
export type { ParleyClientOptions, HeartbeatOptions } from "./options.js";
export type { ConnectionState, StateChange } from "./connection-state.js";
export { canTransition } from "./connection-state.js";
export {
  Room,
  type RoomEvents,
  type RoomOptions,
  type HistoryOptions,
  type HistoryPage,
  type ReplyBody,
  type ThreadPage,
} from "./room.js";
export { ReadMarker, type ReadMarkerOptions } from "./chat/read-marker.js";
export type { SubscribedInfo, SubscriptionState } from "./subscription.js";
export { Inbox, type InboxEvents, type InboxUpdate } from "./inbox.js";
export type { PublishAck } from "./outbox.js";
export { MemoryOutboxStorage, type OutboxEntry, type OutboxStorage } from "./outbox-storage.js";
export { IndexedDbOutboxStorage, type IndexedDbOutboxOptions } from "./outbox-indexeddb.js";
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.js";
export type { Timers } from "./timers.js";
export type { TransportKind, WebSocketLike, WebSocketConstructor } from "./transport.js";
export type { TransportOptions } from "./transport-factory.js";
export { DEFAULT_TRANSPORT_FALLBACK, type TransportFallbackOptions } from "./transport-selector.js";
export type { FetchLike } from "./sse-transport.js";
export { ConnectionClosedError, DisconnectedError } from "./errors.js";
export {
  ParleyError,
  CLOSE,
  ERRORS,
  extractMentions,
  type ErrorCode,
  type RoomEvent,
  type Json,
  type SearchHit,
  type UnreadRoom,
  type InboxRoom,
  type InboxChange,
} from "@parley/protocol";
export {
  ChatFold,
  foldRoom,
  isTombstone,
  seenBy,
  threadOf,
  topLevel,
  type EditView,
  type MessageView,
  type ReactionView,
  type RoomFold,
} from "./chat/index.js";
