/**
 * A Socket.IO 4 chat server with its best documented reliability settings,
 * run as a child process so it can be killed -9: connection state recovery,
 * acks, and server-side dedupe by the client's message id. State is in
 * memory, as in Socket.IO's own guides (it has no store of its own).
 * Usage: node socketio-server.js <port>
 */
import { createServer } from "node:http";
import { Server } from "socket.io";

interface RoomState {
  seq: number;
  readonly seqByCmid: Map<string, number>;
}

const rooms = new Map<string, RoomState>();
const httpServer = createServer();
const io = new Server(httpServer, {
  connectionStateRecovery: { maxDisconnectionDuration: 120_000, skipMiddlewares: true },
  pingInterval: 500,
  pingTimeout: 2_500,
});

type Ack = (reply: unknown) => void;

io.on("connection", (socket) => {
  socket.on("sub", (room: string, ack?: Ack) => {
    void socket.join(room);
    ack?.({ ok: true });
  });
  socket.on("pub", (msg: { room: string; cmid: string }, ack?: Ack) => {
    let state = rooms.get(msg.room);
    if (!state) rooms.set(msg.room, (state = { seq: 0, seqByCmid: new Map() }));
    const prior = state.seqByCmid.get(msg.cmid);
    if (prior !== undefined) return ack?.({ seq: prior, dup: true });
    const seq = ++state.seq;
    state.seqByCmid.set(msg.cmid, seq);
    io.to(msg.room).emit("event", { room: msg.room, seq, cmid: msg.cmid });
    ack?.({ seq, dup: false });
  });
});

httpServer.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  const address = httpServer.address();
  const port = typeof address === "object" && address ? address.port : 0;
  console.log(JSON.stringify({ msg: "listening", port }));
});
