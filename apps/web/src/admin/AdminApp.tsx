import { useEffect, useState } from "react";
import { AdminError, fetchStats, offMessage, type AdminStats } from "./admin-api.js";
import { Dashboard } from "./Dashboard.js";
import { KeyForm } from "./KeyForm.js";

/** Where the key is kept: this tab only, gone when it closes (docs/admin.md). */
const KEY_ITEM = "parley.adminKey";

type Screen = { name: "ask"; error?: string; checking: boolean } | { name: "open"; key: string; first: AdminStats };

/** The admin page: the key form until a key is accepted, then the dashboard. */
export function AdminApp() {
  const [screen, setScreen] = useState<Screen>(() => ({
    name: "ask",
    checking: sessionStorage.getItem(KEY_ITEM) !== null,
  }));
  // A reload in the same tab reopens the dashboard with the key kept there; without one, say at once if it is off.
  useEffect(() => {
    const saved = sessionStorage.getItem(KEY_ITEM);
    if (saved) void tryKey(saved);
    else void offMessage().then((error) => error && setScreen((now) => (now.name === "ask" ? { ...now, error } : now)));
  }, []);

  async function tryKey(key: string): Promise<void> {
    setScreen({ name: "ask", checking: true });
    try {
      const first = await fetchStats(key);
      sessionStorage.setItem(KEY_ITEM, key);
      setScreen({ name: "open", key, first });
    } catch (err) {
      refuse(err instanceof AdminError ? err.message : String(err));
    }
  }

  function refuse(error: string): void {
    sessionStorage.removeItem(KEY_ITEM);
    setScreen({ name: "ask", error, checking: false });
  }

  if (screen.name === "ask")
    return <KeyForm onKey={(key) => void tryKey(key)} error={screen.error} checking={screen.checking} />;
  return (
    <Dashboard
      key={screen.key}
      adminKey={screen.key}
      first={screen.first}
      onRefused={refuse}
      onSignOut={() => refuse("Signed out.")}
    />
  );
}
