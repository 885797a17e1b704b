import type { ClientFrame, ServerFrame } from "./frames.js";

/** Serialises a frame for the wire. One place, so a binary codec can replace it later. */
export function encodeFrame(frame: ClientFrame | ServerFrame): string {
  return JSON.stringify(frame);
}

/**
 * Parses a server frame on the client. The server is trusted to send valid
 * frames, so this checks shape only as far as routing needs (`t` present).
 */
export function decodeServerFrame(text: string): ServerFrame | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && typeof (value as { t?: unknown }).t === "string") {
      return value as ServerFrame;
    }
  } catch {
    // fall through: malformed frames are reported as undefined
  }
  return undefined;
}

/** UTF-8 byte length of a string without allocating a buffer. */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes UTF-8 bytes, or returns undefined when they are not valid UTF-8 (as a WebSocket text frame must be). */
export function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}
