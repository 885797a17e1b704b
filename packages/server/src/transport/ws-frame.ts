/**
 * Server-to-client WebSocket frames built by hand. Server frames are never
 * masked (RFC 6455 §5.1), so one frame's bytes are the same for every
 * recipient: a fan-out builds the frame once and writes that one buffer to
 * every socket, instead of letting `ws` re-frame the payload per recipient.
 */

/** A complete, final, unmasked text frame carrying `payload`. */
export function textFrame(payload: Buffer): Buffer {
  const frame = frameWithHeader(payload.length);
  payload.copy(frame, frame.length - payload.length);
  return frame;
}

/** A text frame of a string, encoded straight into the frame buffer (no intermediate copy). */
export function textFrameOf(text: string): Buffer {
  const n = Buffer.byteLength(text, "utf8");
  const frame = frameWithHeader(n);
  frame.write(text, frame.length - n, "utf8");
  return frame;
}

/** An uninitialised buffer of header + `n` payload bytes, with the header written. */
function frameWithHeader(n: number): Buffer {
  const headerLength = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + n);
  frame[0] = 0x81; // FIN + opcode 1 (text)
  if (n < 126) {
    frame[1] = n;
  } else if (n < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    frame.writeUInt32BE(n >>> 0, 6);
  }
  return frame;
}
