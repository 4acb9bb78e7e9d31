import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// In development the gateway (pnpm stack up, :8080) answers /api and the runtime config; Vite serves the app.
const gateway = process.env.CRM_GATEWAY_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      // The registration script is a file, not inline: the Content-Security-Policy allows no inline scripts.
      injectRegister: null,
      registerType: 'prompt',
      manifest: {
        name: 'CRM',
        short_name: 'CRM',
        description: 'Contacts, companies, deals and forecast',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#f7f7fb',
        theme_color: '#4f46e5',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The app shell is precached; every client route falls back to index.html, the API never does.
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/docs/, /^\/auth\//, /^\/livez/, /^\/readyz/],
        globPatterns: ['**/*.{js,css,html,svg,png,woff2,webmanifest}'],
        // API data is kept by the app's query cache in IndexedDB, per user, never by the service worker.
        runtimeCaching: [],
        cleanupOutdatedCaches: true,
        // The first install takes the open page at once, so it is readable offline without another visit.
        clientsClaim: true,
      },
    }),
  ],
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 600,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target: gateway, changeOrigin: false },
      '/app-config.json': { target: gateway, changeOrigin: false },
    },
  },
  preview: { host: '127.0.0.1', port: 4173 },
});
