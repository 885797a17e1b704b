import type { IncomingMessage, ServerResponse } from "node:http";
import {
  ERRORS,
  MAX_BODY_DEPTH,
  ParleyError,
  decodeUtf8Strict,
  jsonDepthExceeds,
  type ErrorCode,
} from "@parley/protocol";

/** Writes a JSON response. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}

/** Writes `{"error":{code,message,retryable}}` with the catalogue's HTTP status. */
export function sendError(
  res: ServerResponse,
  code: ErrorCode,
  message?: string,
  headers?: Record<string, string>,
): void {
  const spec = ERRORS[code];
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(
    res,
    spec.status,
    { error: { code, message: message ?? spec.description, retryable: spec.retryable } },
    headers,
  );
}

/** Converts anything thrown by a handler into an error response; unknown errors become INTERNAL. */
export function sendThrown(res: ServerResponse, err: unknown): boolean {
  if (err instanceof ParleyError) {
    // An oversized body was not read to its end: close rather than parse the rest as a next request.
    sendError(res, err.code, err.message, err.code === "FRAME_TOO_LARGE" ? { connection: "close" } : {});
    return true;
  }
  sendError(res, "INTERNAL");
  return false;
}

/** The code for a request body nested deeper than an event body in its request may be. */
export type TooDeepCode = "BAD_REQUEST" | "BAD_EVENT";

/**
 * Reads a JSON request body of at most `limit` bytes. Rejects with
 * FRAME_TOO_LARGE (413) as soon as the limit is crossed, so an oversized
 * upload is never buffered whole, with BAD_JSON for unparsable bodies, and
 * with `tooDeep` for one nesting deeper than MAX_BODY_DEPTH + 1 (which would
 * overflow the stack of whatever walks it next).
 */
export async function readJsonBody(
  req: IncomingMessage,
  limit: number,
  tooDeep: TooDeepCode = "BAD_REQUEST",
): Promise<unknown> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  const text = decodeUtf8Strict(Buffer.concat(chunks));
  if (text === undefined) throw new ParleyError("INVALID_UTF8", "the request body is not valid UTF-8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ParleyError("BAD_JSON", "the request body is not valid JSON", { cause: err });
  }
  if (jsonDepthExceeds(value, MAX_BODY_DEPTH + 1)) {
    throw new ParleyError(tooDeep, `the request body nests deeper than ${MAX_BODY_DEPTH + 1} levels`);
  }
  return value;
}

function tooLarge(limit: number): ParleyError {
  return new ParleyError("FRAME_TOO_LARGE", `the request body exceeds ${limit} bytes`);
}

/** Reads a JSON body that must be an object. */
export async function readJsonObject(
  req: IncomingMessage,
  limit: number,
  tooDeep: TooDeepCode = "BAD_REQUEST",
): Promise<Record<string, unknown>> {
  const value = await readJsonBody(req, limit, tooDeep);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ParleyError("BAD_REQUEST", "the request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}
