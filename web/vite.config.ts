// Builds the web app (this folder is Vite's root) into dist/web, which the server serves.
// `npm run dev:web` proxies /api to a server started with `npm start` on port 3000.
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    // One bundle for the whole desk is fine on a LAN; split it when the app grows.
    chunkSizeWarningLimit: 1000,
  },
  server: { proxy: { "/api": "http://127.0.0.1:3000" } },
});
