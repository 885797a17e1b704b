/**
 * The one catalogue of Parley error codes, shared by server and client.
 *
 * A code is a stable string: once shipped it is never renamed or reused for
 * another meaning. `retryable` tells a client whether sending the same request
 * again later can succeed (after backoff, a reconnect or a fresh token).
 * `status` is the HTTP status the REST API answers with.
 */
export interface ErrorSpec {
  readonly retryable: boolean;
  readonly status: number;
  readonly description: string;
}

function spec(retryable: boolean, status: number, description: string): ErrorSpec {
  return { retryable, status, description };
}

export const ERRORS = {
  BAD_JSON: spec(false, 400, "The frame is not valid JSON."),
  BAD_FRAME: spec(false, 400, "The frame does not match the schema of its type."),
  UNKNOWN_FRAME: spec(false, 400, "The frame type `t` is not one this server knows."),
  FRAME_TOO_LARGE: spec(false, 413, "The frame exceeds `limits.maxFrameBytes`."),
  MESSAGE_TOO_LARGE: spec(false, 413, "The event body exceeds `limits.maxMessageBytes`."),
  INVALID_UTF8: spec(false, 400, "A text frame carried invalid UTF-8."),
  UNSUPPORTED_VERSION: spec(false, 400, "No protocol version in common with the server."),
  NOT_CONNECTED: spec(false, 400, "A `connect` frame must come first."),
  ALREADY_CONNECTED: spec(false, 400, "`connect` was sent twice on one connection."),
  UNAUTHORIZED: spec(false, 401, "Missing, malformed or invalid credentials."),
  TOKEN_EXPIRED: spec(true, 401, "The token has expired; fetch a new one and reconnect."),
  FORBIDDEN: spec(false, 403, "The user lacks the capability for this room and action."),
  ROOM_NOT_FOUND: spec(false, 404, "No such room."),
  ROOM_EXISTS: spec(false, 409, "A room with this id already exists."),
  NOT_SUBSCRIBED: spec(false, 400, "The connection is not subscribed to this room."),
  ALREADY_SUBSCRIBED: spec(false, 400, "The connection is already subscribed to this room."),
  TOO_MANY_SUBSCRIPTIONS: spec(
    false,
    429,
    "Exceeds `limits.maxSubscriptions` (the `maxSubscriptionsPerConnection` option).",
  ),
  TOO_MANY_CONNECTIONS: spec(
    true,
    429,
    "Exceeds the `maxConnectionsPerUser` option (connections of one user on one node).",
  ),
  RATE_LIMITED: spec(true, 429, "Publish or typing rate limit exceeded; retry after backoff."),
  BAD_REQUEST: spec(false, 400, "The REST request is malformed."),
  BAD_EVENT: spec(
    false,
    400,
    "The event body does not fit its kind (see docs/chat.md), nests deeper than 32 levels, or the kind is reserved.",
  ),
  TARGET_NOT_FOUND: spec(
    false,
    404,
    "The seq an edit, delete, reaction, reply or receipt refers to is not a message of this room.",
  ),
  NOT_AUTHOR: spec(false, 403, "Only the author may edit (or, without `delete_any`, delete) this message."),
  NOT_FOUND: spec(false, 404, "No such REST resource."),
  METHOD_NOT_ALLOWED: spec(
    false,
    405,
    "The path exists but not with this HTTP method; `Allow` lists the methods it has.",
  ),
  CMID_CONFLICT: spec(
    false,
    409,
    "Another user already published this `cmid` in this room; nothing was stored. Publish with a new cmid.",
  ),
  SHUTTING_DOWN: spec(true, 503, "The node is draining; reconnect elsewhere or later."),
  UNAVAILABLE: spec(true, 503, "The store or log is temporarily unavailable."),
  INTERNAL: spec(true, 500, "Unexpected server error; the request may be retried."),
  SERVER_API_DISABLED: spec(
    false,
    404,
    "The server API is off: this server has no `serverKeysFile` (docs/server-api.md).",
  ),
} as const satisfies Record<string, ErrorSpec>;

/** A stable error code string. */
export type ErrorCode = keyof typeof ERRORS;

/** True when `code` names a catalogued error. */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERRORS, code);
}

/** Whether a request that failed with `code` may succeed when retried. */
export function isRetryable(code: string): boolean {
  return isErrorCode(code) ? ERRORS[code].retryable : false;
}

/**
 * An error carrying a catalogued code; thrown by server and client alike.
 * `options.cause` is the failure it wraps (a driver or network error), kept
 * for logs and debugging: the wire carries only `code`, `message` and
 * `retryable`, so a cause never reaches a client.
 */
export class ParleyError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  constructor(code: ErrorCode, message?: string, options?: ErrorOptions) {
    super(message ?? ERRORS[code].description, options);
    this.name = "ParleyError";
    this.code = code;
    this.retryable = ERRORS[code].retryable;
  }
}

/**
 * WebSocket close codes. 4000–4499: the client should reconnect (with
 * backoff). 4500–4999: terminal, do not reconnect without user action.
 */
export const CLOSE = {
  SHUTDOWN: 4000,
  SLOW_CONSUMER: 4001,
  HEARTBEAT_TIMEOUT: 4002,
  INTERNAL: 4003,
  CONNECT_TIMEOUT: 4004,
  TOO_MANY_ERRORS: 4005,
  TOO_MANY_CONNECTIONS: 4006,
  TOKEN_EXPIRED: 4007,
  RECONNECT_REQUESTED: 4008,
  UNAUTHORIZED: 4500,
  UNSUPPORTED_VERSION: 4501,
  PROTOCOL_VIOLATION: 4502,
  DISCONNECTED: 4503,
} as const;

/** A Parley close code number. */
export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];

/** Whether a client should reconnect after the socket closed with `code`. */
export function shouldReconnect(code: number): boolean {
  if (code >= 4500 && code <= 4999) return false;
  return true;
}
