/** @parley/server public entry. */
export * from "./config/options.js";
export type * from "./log/event-log.js";
export type * from "./store/store.js";
export type * from "./auth/principal.js";
export { createParleyServer } from "./server.js";
export { mintToken, type MintTokenOptions } from "./auth/mint-token.js";
