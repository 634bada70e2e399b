import type { ReactNode } from 'react';

/**
 * A table that may scroll sideways on narrow screens. It takes keyboard focus (and is named) so people who do not
 * use a mouse can scroll it too.
 */
export function TableWrap({ label, busy, children }: { label: string; busy?: boolean; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1)
    <section className="table-wrap" tabIndex={0} aria-label={label} aria-busy={busy}>
      {children}
    </section>
  );
}
