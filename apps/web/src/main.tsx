import { createRoot } from "react-dom/client";
import { App } from "./App.js";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error('index.html has no <div id="root"> to render the app into');
createRoot(root).render(<App />);

// The service worker keeps the app shell for offline reloads (src/sw/shell.ts) and shows push notifications.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((err: unknown) => {
    console.warn("service worker not registered; the app will not open offline", err);
  });
}
