// The service worker (vite-plugin-pwa/workbox) precaches the app shell so the installed app opens offline.
// A new version waits until the next start rather than swapping code under an open screen.
export function registerServiceWorker(): void {
  if (import.meta.env.DEV || !('serviceWorker' in navigator)) return;
  void import('virtual:pwa-register').then(({ registerSW }) => registerSW({ immediate: true }));
}
