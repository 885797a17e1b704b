/** @parley/react: React hooks over the Parley client SDK. */
export { ParleyProvider, useParley, type ParleyContextValue, type ParleyProviderProps } from "./context.js";
export { useConnectionState, type ConnectionInfo } from "./use-connection-state.js";
export { useRoom, type RoomInfo } from "./use-room.js";
export { useMessages, type MessagesResult, type UseMessagesOptions } from "./use-messages.js";
export { useThread, type ThreadResult } from "./use-thread.js";
export { useChatFold, syncFold } from "./use-chat-fold.js";
export { useUnread, type UnreadResult } from "./use-unread.js";
export { useRooms, sortedRooms, type RoomsResult } from "./use-rooms.js";
export { useSearch, type SearchResult, type UseSearchOptions } from "./use-search.js";
export { applyLive, fromInbox, fromServer, type UnreadMap } from "./unread-counts.js";
export type { ChatActions } from "./chat-actions.js";
export { usePresence, type PresenceResult } from "./use-presence.js";
export { useTyping, type TypingResult, type UseTypingOptions } from "./use-typing.js";
export { OutboxTracker, type TrackedMessage } from "./outbox-tracker.js";
export { refusalsOf, refusalText, type Refusal } from "./refusals.js";
export {
  buildMessages,
  findHoles,
  mergeEvents,
  type ChatMessage,
  type DeliveryState,
  type Hole,
  type MessageScope,
  type PendingContext,
} from "./merge.js";
