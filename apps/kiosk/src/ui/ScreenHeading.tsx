import { type ComponentProps, useEffect, useRef } from 'react';

/**
 * A screen's heading, focused when it appears: a screen change would otherwise leave focus on `<body>` (or on a button
 * that is gone), and screen-reader users would not hear that anything changed.
 */
export function ScreenHeading(props: Omit<ComponentProps<'h1'>, 'ref' | 'tabIndex'>) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
  }, []);
  return <h1 {...props} ref={ref} tabIndex={-1} />;
}
