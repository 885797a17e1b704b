// One real server process per test file, with clients and room names that are cleaned up / unique.
import { after, before } from "node:test";
import { ParleyClient } from "../node.js";
import type { OutboxStorage } from "../outbox-storage.js";
import { ServerProcess } from "./server-process.js";

/** Starts the server before the file's tests; disconnects every client and stops it after them. */
export function realServer(prefix: string) {
  const server = new ServerProcess();
  const clients: ParleyClient[] = [];
  let rooms = 0;
  before(() => server.start());
  after(async () => {
    for (const c of clients) c.disconnect();
    await server.stop();
  });
  return {
    server,
    /** A client acting as `user` (dev mode), with a fast backoff. */
    client(user: string, outbox?: OutboxStorage): ParleyClient {
      const c = new ParleyClient({
        url: server.url,
        user,
        backoff: { minMs: 50, maxMs: 300 },
        ...(outbox ? { outbox } : {}),
      });
      clients.push(c);
      return c;
    },
    uniqueRoom: () => `${prefix}-${process.pid}-${++rooms}`,
  };
}
