import type { ReactNode } from 'react';

// Inline icons: no icon font, no request, and they scale with the text.
function Glyph({ className, children }: { className?: string; children: ReactNode }) {
  return (
    <svg
      xmlns="http://www.w3.org/2000/svg"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      className={className}
    >
      {children}
    </svg>
  );
}

export function QrIcon({ className }: { className?: string }) {
  return (
    <Glyph className={className}>
      <rect x="3" y="3" width="7" height="7" rx="1" />
      <rect x="14" y="3" width="7" height="7" rx="1" />
      <rect x="3" y="14" width="7" height="7" rx="1" />
      <path d="M14 14h3v3h-3zM20 14v.01M14 20h.01M17 20h4v-3M6 6h1v1H6zM17 6h1v1h-1zM6 17h1v1H6z" />
    </Glyph>
  );
}

export function CheckIcon({ className }: { className?: string }) {
  return (
    <Glyph className={className}>
      <circle cx="12" cy="12" r="10" />
      <path d="m7.5 12.5 3 3 6-6.5" />
    </Glyph>
  );
}

export function AlertIcon({ className }: { className?: string }) {
  return (
    <Glyph className={className}>
      <circle cx="12" cy="12" r="10" />
      <path d="M12 7v6M12 16.5v.01" />
    </Glyph>
  );
}

export function WifiIcon({ className }: { className?: string }) {
  return (
    <Glyph className={className}>
      <path d="M2 8.8a15 15 0 0 1 20 0M5 12.5a10 10 0 0 1 14 0M8.5 16.1a5 5 0 0 1 7 0M12 19.5v.01" />
    </Glyph>
  );
}

export function CloudOffIcon({ className }: { className?: string }) {
  return (
    <Glyph className={className}>
      <path d="M3 3l18 18M8 7.5A6 6 0 0 1 18 11h.5a3.5 3.5 0 0 1 2 6.4M17 18H7a4 4 0 0 1-1.5-7.7" />
    </Glyph>
  );
}

export function TorchIcon({ className }: { className?: string }) {
  return (
    <Glyph className={className}>
      <path d="M8 2h8v4l-2 4v12h-4V10L8 6zM8 6h8M12 14v2" />
    </Glyph>
  );
}

export function Spinner() {
  return <span className="spinner" aria-hidden="true" />;
}
