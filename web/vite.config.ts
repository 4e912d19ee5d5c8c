/// <reference types="node" />
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
/** Where `npm run dev -w web` sends /api (HTTP and the live WebSocket): a running `npm start` by default. */
const apiTarget = process.env.LEADLINE_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root,
  plugins: [vue()],
  resolve: {
    alias: {
      // vuedraggable's published build is a webpack UMD: bundled as an ES module (strict mode) its
      // global shim calls Function('return this'), which the CSP's script-src 'self' refuses, and its
      // require('vue') pulls in a second Vue with the template compiler. Its ES source has neither.
      vuedraggable: 'vuedraggable/src/vuedraggable.js',
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false, ws: true },
    },
  },
});
