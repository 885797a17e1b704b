/** The server closed the connection with a terminal code (4500–4999): the client will not reconnect by itself. */
export class ConnectionClosedError extends Error {
  constructor(
    /** The WebSocket close code, e.g. 4500 UNAUTHORIZED. */
    readonly closeCode: number,
    /** The server's close reason. */
    readonly reason: string,
  ) {
    super(`parley: connection closed by the server (${closeCode}${reason ? `: ${reason}` : ""}); not reconnecting`);
    this.name = "ConnectionClosedError";
  }
}

/** The app called `disconnect()` while the operation was pending. */
export class DisconnectedError extends Error {
  constructor(message = "parley: the client was disconnected") {
    super(message);
    this.name = "DisconnectedError";
  }
}
