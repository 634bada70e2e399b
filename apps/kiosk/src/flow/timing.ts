/**
 * User Timing entries on the scan path, so the time a visitor waits can be measured in a real browser (the e2e bench
 * reads them with performance.getEntriesByName): local verification, and decoded QR → result on screen.
 */
const DECODED = 'atrium:decoded';
export const VERIFY_MEASURE = 'atrium:verify';
export const SCAN_TO_RESULT_MEASURE = 'atrium:scan-to-result';

export function markDecoded(): void {
  performance.clearMarks(DECODED);
  performance.mark(DECODED);
}

export function measureVerify(start: number): void {
  performance.measure(VERIFY_MEASURE, { start, end: performance.now() });
}

/** The first result shown after a decode ends the measurement; later updates of the same screen do not count. */
export function markResultShown(): void {
  if (performance.getEntriesByName(DECODED, 'mark').length === 0) return;
  performance.measure(SCAN_TO_RESULT_MEASURE, DECODED);
  performance.clearMarks(DECODED);
}
