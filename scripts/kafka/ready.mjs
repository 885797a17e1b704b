// Exits 0 once the broker at argv[2] answers a metadata request with at least
// one broker, 1 otherwise. Used by start.sh to wait until Kafka is usable.
import { Admin } from "@platformatic/kafka";

const admin = new Admin({ clientId: "parley-ready", bootstrapBrokers: [process.argv[2]], timeout: 2000, retries: 0 });
try {
  const metadata = await admin.metadata({ topics: [] });
  process.exitCode = metadata.brokers.size > 0 ? 0 : 1;
} catch {
  process.exitCode = 1;
} finally {
  await admin.close().catch(() => {});
}
