import { useEffect, useRef, useState } from 'react';

/** The current time, re-read every `intervalMs`. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** The latest value of a callback, for effects that must not restart when the callback identity changes. */
export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  useEffect(() => {
    ref.current = value;
  });
  return ref;
}

/**
 * Counts down and calls `onExpire` at zero. Any touch on the screen starts the count again ("tap to stay"); a change
 * of `restartKey` (new content on the screen) does too.
 */
export function useAutoReturn(seconds: number, onExpire: () => void, restartKey?: unknown) {
  const [deadline, setDeadline] = useState(() => Date.now() + seconds * 1000);
  const [left, setLeft] = useState(seconds);
  const expire = useLatest(onExpire);

  // biome-ignore lint/correctness/useExhaustiveDependencies: restartKey is the trigger, not an input.
  useEffect(() => {
    setDeadline(Date.now() + seconds * 1000);
  }, [seconds, restartKey]);

  useEffect(() => {
    const stay = () => setDeadline(Date.now() + seconds * 1000);
    window.addEventListener('pointerdown', stay);
    window.addEventListener('keydown', stay);
    return () => {
      window.removeEventListener('pointerdown', stay);
      window.removeEventListener('keydown', stay);
    };
  }, [seconds]);

  useEffect(() => {
    const tick = () => {
      const remaining = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      setLeft(remaining);
      if (remaining === 0) expire.current();
    };
    tick();
    const timer = setInterval(tick, 250);
    return () => clearInterval(timer);
  }, [deadline, expire]);

  return { secondsLeft: left, stay: () => setDeadline(Date.now() + seconds * 1000) };
}

/** Calls `onIdle` after `ms` without any touch or key press while `active`. */
export function useInactivity(ms: number, onIdle: () => void, active = true): void {
  const idle = useLatest(onIdle);
  useEffect(() => {
    if (!active) return;
    let timer = setTimeout(() => idle.current(), ms);
    const reset = () => {
      clearTimeout(timer);
      timer = setTimeout(() => idle.current(), ms);
    };
    window.addEventListener('pointerdown', reset);
    window.addEventListener('keydown', reset);
    window.addEventListener('input', reset);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('pointerdown', reset);
      window.removeEventListener('keydown', reset);
      window.removeEventListener('input', reset);
    };
  }, [ms, active, idle]);
}
