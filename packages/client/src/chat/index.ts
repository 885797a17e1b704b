/** Chat features over the event log: the pure fold of edits, deletes, reactions, replies and receipts. */
export { foldRoom, seenBy, threadOf, topLevel, type RoomFold } from "./room-fold.js";
export { ChatFold } from "./chat-fold.js";
export { isTombstone } from "@parley/protocol";
export { type EditView, type MessageView, type ReactionView } from "./message-view.js";
