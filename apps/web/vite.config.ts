import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The app is served by the Parley server at /, so the dev server proxies the API there.
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
  server: {
    proxy: { "/v1": { target: "http://localhost:8080", ws: true } },
  },
});
