import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The app is served by the Parley server at /, so the dev server proxies the API there.
// The service worker is a second entry, emitted unhashed as /sw.js so its scope is the whole app.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    rollupOptions: {
      input: { main: "index.html", sw: "src/sw/sw.ts" },
      output: { entryFileNames: (chunk) => (chunk.name === "sw" ? "sw.js" : "assets/[name]-[hash].js") },
    },
  },
  server: {
    proxy: { "/v1": { target: "http://localhost:8080", ws: true } },
  },
});
