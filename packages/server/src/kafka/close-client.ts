/** Anything with the Kafka clients' `close(force, callback)`. */
interface Closable {
  close(force: boolean, callback: (err?: Error | null) => void): void;
}

/**
 * Force-closes a Kafka client (its streams and connections) and resolves
 * either way: closing is best effort and must never hang a shutdown. The
 * callback form is used because the promise overload takes no `force`.
 */
export function closeForced(client: Closable | undefined): Promise<void> {
  if (!client) return Promise.resolve();
  return new Promise((resolve) => {
    try {
      client.close(true, () => resolve());
    } catch {
      resolve();
    }
  });
}
