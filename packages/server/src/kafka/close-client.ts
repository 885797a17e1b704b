/** Anything with the Kafka clients' `close(force, callback)`. */
interface Closable {
  close(force: boolean, callback: (err?: Error | null) => void): void;
}

/**
 * Force-closes a Kafka client (its streams and connections) and resolves
 * either way: closing is best effort and must never hang a shutdown. The
 * callback form is used because the promise overload takes no `force`.
 *
 * A consumer's close first leaves its group, and when that fails (its topics
 * were deleted: "Unknown topic") the client library gives up and leaves the
 * client open, its broker connection keeping the process alive. Then the
 * connections are closed underneath, by the close of the client's base class.
 */
export function closeForced(client: Closable | undefined): Promise<void> {
  if (!client) return Promise.resolve();
  return new Promise((resolve) => {
    try {
      client.close(true, (err) => (err ? closeConnections(client, resolve) : resolve()));
    } catch {
      closeConnections(client, resolve);
    }
  });
}

/** Calls the close of the base-most class that defines one (the library's Base: closes the connection pool). */
function closeConnections(client: Closable, done: () => void): void {
  let base: { close?: unknown } | undefined;
  for (let proto = Object.getPrototypeOf(client) as object | null; proto && proto !== Object.prototype;) {
    if (Object.hasOwn(proto, "close")) base = proto as { close?: unknown };
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  const close = base?.close;
  if (typeof close !== "function") return done();
  try {
    (close as (this: Closable, callback: () => void) => void).call(client, () => done());
  } catch {
    done();
  }
}
