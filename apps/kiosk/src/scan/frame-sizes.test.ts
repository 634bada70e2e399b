import { describe, expect, it } from 'vitest';
import { FRAME_VARIANTS, frameSize } from './frame-sizes';

describe('frameSize', () => {
  it('fits large frames to 960 px and then cycles through the variants', () => {
    const sizes = FRAME_VARIANTS.map((_, n) => frameSize(n, 1280, 720));
    expect(sizes[0]).toEqual({ width: 960, height: 540, smooth: true });
    expect(sizes.slice(0, 4).map((s) => [s.width, s.smooth])).toEqual([
      [960, true],
      [768, false],
      [480, true],
      [576, true],
    ]);
    expect(frameSize(FRAME_VARIANTS.length, 1280, 720)).toEqual(sizes[0]);
  });

  it('never enlarges a small frame and never returns zero', () => {
    expect(frameSize(0, 640, 480)).toEqual({ width: 640, height: 480, smooth: true });
    expect(frameSize(0, 0, 0)).toMatchObject({ width: 1, height: 1 });
  });
});
