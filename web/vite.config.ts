import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// The web app lives in web/ and is built into web/dist, which the API server serves
// (static files plus the SPA fallback to index.html). Build: `npm run build:web`.
const root = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    // `npx vite --config web/vite.config.ts` next to `npm start`: API calls go to the service.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
