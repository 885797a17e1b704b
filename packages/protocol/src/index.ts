/** @parley/protocol: the wire contract shared by the Parley server and client. */
export * from "./frames.js";
export * from "./errors.js";
export * from "./codec.js";
export * from "./chat.js";
export * from "./token-bucket.js";
export * from "./json-depth.js";
