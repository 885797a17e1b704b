/**
 * Caps on open TCP connections, in total and per remote address, so one
 * client (or a crowd) cannot take every socket the process may hold. A
 * connection past a cap is destroyed as it arrives, before TLS or HTTP.
 */
import type { Server } from "node:net";

/** The caps; 0 means no cap. */
export interface ConnectionLimits {
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
}

/** Counts `server`'s connections and refuses those past `limits`; `onRefused` is told each refusal. */
export function limitConnections(server: Server, limits: ConnectionLimits, onRefused?: () => void): void {
  const perAddress = new Map<string, number>();
  let total = 0;
  server.on("connection", (socket) => {
    const address = socket.remoteAddress ?? "";
    const mine = perAddress.get(address) ?? 0;
    const full = limits.maxConnections > 0 && total >= limits.maxConnections;
    if (full || (limits.maxConnectionsPerAddress > 0 && mine >= limits.maxConnectionsPerAddress)) {
      socket.destroy();
      onRefused?.();
      return;
    }
    total++;
    perAddress.set(address, mine + 1);
    socket.once("close", () => {
      total--;
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left === 0) perAddress.delete(address);
      else perAddress.set(address, left);
    });
  });
}
