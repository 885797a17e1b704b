import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The app is served by the Parley server at /, so the dev server proxies the API there.
// The service worker is a second entry, emitted unhashed as /sw.js so its scope is the whole app.
// The admin dashboard is a third (admin/index.html, served at /admin; docs/admin.md): its own page and
// bundle, so the chat never loads the charts and the dashboard never loads the chat.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    rollupOptions: {
      input: { main: "index.html", admin: "admin/index.html", sw: "src/sw/sw.ts" },
      output: { entryFileNames: (chunk) => (chunk.name === "sw" ? "sw.js" : "assets/[name]-[hash].js") },
    },
  },
  server: {
    proxy: { "/v1": { target: "http://localhost:8080", ws: true } },
  },
});
