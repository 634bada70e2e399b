import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';

function App() {
  const [ready, setReady] = useState<'checking' | 'ready' | 'unreachable'>('checking');
  useEffect(() => {
    fetch('/readyz')
      .then((res) => setReady(res.ok ? 'ready' : 'unreachable'))
      .catch(() => setReady('unreachable'));
  }, []);
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 640, margin: '4rem auto', padding: '0 1rem' }}>
      <h1>Atrium</h1>
      <p>Visitor check-in and guest WiFi for your office.</p>
      <p role="status">Server: {ready === 'checking' ? 'checking…' : ready === 'ready' ? 'ready' : 'not reachable'}</p>
      <p>The admin dashboard is not part of this release yet; the API and the kiosk are served from this address.</p>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
