/**
 * The Node peers as one script: `node peer-servers.js socketio <port>` or
 * `node peer-servers.js ws <port>`. Both answer GET /heap with heapUsed bytes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Server } from "socket.io";
import { WebSocketServer, type WebSocket } from "ws";

function heap(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.url !== "/heap") return false;
  res.end(String(process.memoryUsage().heapUsed));
  return true;
}

/** Socket.IO 4 with rooms: `join` (acked), `pub` → `io.to(room).emit("msg", body)`. */
function socketio(port: number): void {
  const http = createServer((req, res) => {
    if (!heap(req, res)) res.writeHead(404).end();
  });
  const io = new Server(http, { transports: ["websocket"], perMessageDeflate: false, serveClient: false });
  io.on("connection", (socket) => {
    socket.on("join", (room: string, ack?: () => void) => {
      void socket.join(room);
      ack?.();
    });
    socket.on("pub", (room: string, body: unknown) => io.to(room).emit("msg", body));
  });
  http.listen(port, "127.0.0.1");
}

/** A naive broadcast loop: `{"j":room}` joins, `{"p":room,...}` is sent as is to every member with ws.send. */
function bareWs(port: number): void {
  const rooms = new Map<string, Set<WebSocket>>();
  const http = createServer((req, res) => {
    if (!heap(req, res)) res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false, clientTracking: false });
  wss.on("connection", (ws) => {
    let joined: string | undefined;
    ws.on("message", (data: Buffer) => {
      const text = data.toString();
      const msg = JSON.parse(text) as { j?: string; p?: string };
      if (msg.j !== undefined) {
        joined = msg.j;
        let set = rooms.get(joined);
        if (!set) rooms.set(joined, (set = new Set()));
        set.add(ws);
        return ws.send('{"ok":1}');
      }
      for (const member of rooms.get(msg.p ?? "") ?? []) member.send(text);
    });
    ws.on("close", () => joined !== undefined && rooms.get(joined)?.delete(ws));
    ws.on("error", () => {});
  });
  http.listen(port, "127.0.0.1");
}

const [kind, port] = process.argv.slice(2);
if (kind === "socketio") socketio(Number(port));
else if (kind === "ws") bareWs(Number(port));
else throw new Error(`usage: peer-servers.js socketio|ws <port>`);
