/**
 * The web app's build (docs/web.md): React + Ant Design, served by the API server under /app/.
 * `recourse serve` (npm start) runs this build when web/dist is missing or out of date (src/web-build.ts).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export const WEB_ROOT = fileURLToPath(new URL('.', import.meta.url));
/** Where the app lives on the server: client routes and assets are all under it (never colliding with API routes). */
export const APP_BASE = '/app/';

export default defineConfig({
  root: WEB_ROOT,
  base: APP_BASE,
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline scripts (the CSP allows none) and no source maps in what the server ships.
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
});
