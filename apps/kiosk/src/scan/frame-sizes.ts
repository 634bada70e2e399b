/** Decode frames at most this large on their long side: bigger costs time and reads no better. */
export const MAX_FRAME_SIDE = 960;

/**
 * zxing's QR detector misses some dense codes (version 15, our token size) at certain pixels-per-module, even in a
 * sharp image, and finds them when the same frame is drawn a little smaller or resampled differently. Successive
 * attempts therefore cycle through these sizes and smoothing settings. Measured in Chromium on 120 synthetic frames
 * (token-sized codes at 3–5.3 px per module, sharp and blurred): the first variant alone read 75 %, the first four
 * together all of them; the rest are spare.
 */
export const FRAME_VARIANTS: ReadonlyArray<{ scale: number; smooth: boolean }> = [
  { scale: 1, smooth: true },
  { scale: 0.8, smooth: false },
  { scale: 0.5, smooth: true },
  { scale: 0.6, smooth: true },
  { scale: 0.33, smooth: false },
  { scale: 0.8, smooth: true },
  { scale: 0.5, smooth: false },
  { scale: 0.4, smooth: true },
];

/** Canvas size and smoothing for the n-th decode attempt of a frame of the given size. */
export function frameSize(
  attempt: number,
  width: number,
  height: number,
): { width: number; height: number; smooth: boolean } {
  const variant = FRAME_VARIANTS[attempt % FRAME_VARIANTS.length]!;
  const fit = Math.min(1, MAX_FRAME_SIDE / Math.max(width, height, 1));
  const scale = fit * variant.scale;
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
    smooth: variant.smooth,
  };
}
