// Prints a free localhost TCP port (the OS picks it; a tiny race with other
// processes is acceptable for tests and local clusters).
import { createServer } from "node:net";

const server = createServer();
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`${typeof address === "object" && address ? address.port : ""}\n`);
  server.close();
});
