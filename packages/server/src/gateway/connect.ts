import {
  CLOSE,
  ParleyError,
  SUPPORTED_VERSIONS,
  type ConnectFrame,
  type ConnectionLimits,
  type ErrorCode,
} from "@parley/protocol";
import { logWrappedFailure } from "../logger.js";
import type { ParleyConfig } from "../config/options.js";
import type { HandshakeSession } from "./session-port.js";

/** The highest version both sides speak, or undefined. */
export function negotiateVersion(offered: readonly number[]): number | undefined {
  let best: number | undefined;
  for (const v of offered) if (SUPPORTED_VERSIONS.includes(v) && (best === undefined || v > best)) best = v;
  return best;
}

/** Close code that goes with a failed authentication. */
function authCloseCode(code: ErrorCode): number {
  return code === "TOKEN_EXPIRED" ? CLOSE.TOKEN_EXPIRED : CLOSE.UNAUTHORIZED;
}

/**
 * `connect`: negotiate the version, authenticate, enforce the per-user
 * connection cap, then reply `connected`. Every refusal is an error frame
 * followed by a close whose code tells the client whether to retry.
 */
export async function handleConnect(s: HandshakeSession, frame: ConnectFrame): Promise<void> {
  const { ctx } = s;
  const version = negotiateVersion(frame.versions);
  if (version === undefined) return refuse(s, "UNSUPPORTED_VERSION", CLOSE.UNSUPPORTED_VERSION, frame.id);
  if (ctx.draining) return refuse(s, "SHUTTING_DOWN", CLOSE.SHUTDOWN, frame.id);
  let principal;
  try {
    principal = await ctx.auth.authenticate({ token: frame.token, user: frame.user });
  } catch (err) {
    const code: ErrorCode = err instanceof ParleyError ? err.code : "UNAUTHORIZED";
    if (!(err instanceof ParleyError)) ctx.logger.warn({ err }, "authenticator failed");
    else logWrappedFailure(ctx.logger, err, {}, "authenticator failed");
    return refuse(s, code, authCloseCode(code), frame.id);
  }
  if (s.state.name !== "authenticating") return; // closed (e.g. connect timeout) while authenticating
  if (!ctx.acquireUser(principal.user)) return refuse(s, "TOO_MANY_CONNECTIONS", CLOSE.TOO_MANY_CONNECTIONS, frame.id);
  const { config } = ctx;
  s.connected(principal, {
    t: "connected",
    ...(frame.id !== undefined ? { id: frame.id } : {}),
    version,
    session: s.id,
    user: principal.user,
    heartbeatMs: config.heartbeatMs,
    limits: connectionLimits(config),
  });
}

/** The limits announced in `connected`: a client paces its publishes to the publish bucket (burst 2× rate). */
function connectionLimits(config: ParleyConfig): ConnectionLimits {
  const publishRate = Math.min(config.publishRatePerConnection, config.publishRatePerUser);
  return {
    maxMessageBytes: config.maxMessageBytes,
    maxSubscriptions: config.maxSubscriptionsPerConnection,
    maxFrameBytes: config.maxFrameBytes,
    publishRate,
    publishBurst: 2 * publishRate,
  };
}

function refuse(s: HandshakeSession, code: ErrorCode, closeCode: number, id: number | undefined): void {
  s.fail(code, undefined, id);
  s.close(closeCode, code);
}
