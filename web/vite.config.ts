// The web app's build and dev server. `npm run dev` proxies the API and the socket to a server
// started with `npm run dev:server` (or any, through STAMPEDE_URL).
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const server = process.env.STAMPEDE_URL ?? 'http://localhost:3000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The CSP allows no inline script; the polyfill would be one.
    modulePreload: { polyfill: false },
    manifest: true,
  },
  server: {
    proxy: {
      '/api': server,
      '/health': server,
      '/openapi.json': server,
      '/socket.io': { target: server, ws: true },
    },
  },
});
