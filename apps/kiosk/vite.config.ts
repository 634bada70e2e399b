import { readFileSync } from 'node:fs';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  base: '/kiosk/',
  define: { __APP_VERSION__: JSON.stringify(version) },
  plugins: [
    react(),
    VitePWA({
      // The app asks before it updates, and asks only when nobody is mid-flow (src/pwa.ts).
      registerType: 'prompt',
      // Registered from src/pwa.ts: an injected inline script would break the CSP (script-src 'self').
      injectRegister: false,
      base: '/kiosk/',
      scope: '/kiosk/',
      includeAssets: ['icon.svg'],
      manifest: {
        id: '/kiosk/',
        name: 'Atrium kiosk',
        short_name: 'Atrium',
        description: 'Visitor check-in for the lobby tablet',
        lang: 'en',
        start_url: '/kiosk/',
        scope: '/kiosk/',
        display: 'fullscreen',
        display_override: ['fullscreen', 'standalone'],
        orientation: 'any',
        background_color: '#f3f5fa',
        theme_color: '#1d4ed8',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        // The app shell, including the lazily loaded QR decoder chunk, so a reload while offline still scans.
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        navigateFallback: '/kiosk/index.html',
        navigateFallbackDenylist: [/^\/api\//],
        // No runtime caching: API answers (tokens, vouchers, config) never go into a cache.
        runtimeCaching: [],
        cleanupOutdatedCaches: true,
        clientsClaim: false,
        skipWaiting: false,
        maximumFileSizeToCacheInBytes: 3 * 1024 * 1024,
      },
      devOptions: { enabled: false },
    }),
  ],
  // The manifest (dist/.vite/manifest.json, not served) lets the e2e run check what the first load fetches.
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, manifest: true },
  server: { proxy: { '/api': 'http://localhost:8080', '/healthz': 'http://localhost:8080' } },
});
