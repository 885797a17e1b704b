/**
 * Enable/disable Web Push notifications for DMs and mentions: registers the
 * service worker (/sw.js), asks for permission, subscribes with the server's
 * VAPID key and registers the subscription over REST (or removes both).
 * Clicking a notification makes the service worker ask this window to open the room.
 */
import { useCallback, useEffect, useState } from "react";
import type { Api } from "../api.js";
import type { OpenRoomMessage } from "../sw/notification.js";

/** What the control shows; `data-state` carries it for tests. */
type PushState = "loading" | "unsupported" | "denied" | "off" | "on" | "busy" | "error";

const supported = () => "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

async function registration(): Promise<ServiceWorkerRegistration> {
  await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  return navigator.serviceWorker.ready;
}

async function enable(api: Api): Promise<void> {
  if ((await Notification.requestPermission()) !== "granted") throw new Error("notifications are blocked");
  const { publicKey } = await api.call<{ publicKey: string }>("GET", "/v1/push/vapid-public-key");
  const reg = await registration();
  const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: publicKey });
  await api.call("POST", "/v1/push/subscriptions", sub.toJSON());
}

async function disable(api: Api): Promise<void> {
  const sub = await (await registration()).pushManager.getSubscription();
  if (!sub) return;
  await api.call("DELETE", "/v1/push/subscriptions", { endpoint: sub.endpoint });
  await sub.unsubscribe();
}

export function PushSettings({ api, onOpenRoom }: { api: Api; onOpenRoom: (room: string) => void }) {
  const [state, setState] = useState<PushState>("loading");
  const [error, setError] = useState("");

  const refresh = useCallback(async () => {
    if (!supported()) return setState("unsupported");
    if (Notification.permission === "denied") return setState("denied");
    const sub = await (await registration()).pushManager.getSubscription();
    setState(sub && Notification.permission === "granted" ? "on" : "off");
  }, []);

  useEffect(() => {
    refresh().catch((err: unknown) => (setState("error"), setError((err as Error).message)));
    if (!supported()) return;
    const onMessage = (e: MessageEvent<OpenRoomMessage>) => {
      if (e.data?.type === "parley:open-room" && typeof e.data.room === "string") onOpenRoom(e.data.room);
    };
    navigator.serviceWorker.addEventListener("message", onMessage);
    return () => navigator.serviceWorker.removeEventListener("message", onMessage);
  }, [refresh, onOpenRoom]);

  const toggle = async () => {
    const turnOn = state !== "on";
    setState("busy");
    setError("");
    try {
      await (turnOn ? enable(api) : disable(api));
      await refresh();
    } catch (err) {
      setError(`Could not turn notifications ${turnOn ? "on" : "off"}: ${(err as Error).message}`);
      setState("error");
    }
  };

  if (state === "unsupported") return null;
  return (
    <span className="push-settings" data-testid="push-settings" data-state={state}>
      <button
        type="button"
        className="link-button"
        aria-pressed={state === "on"}
        disabled={state === "loading" || state === "busy" || state === "denied"}
        onClick={() => void toggle()}
      >
        {state === "on" ? "Notifications on" : state === "denied" ? "Notifications blocked" : "Enable notifications"}
      </button>
      {error && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </span>
  );
}
