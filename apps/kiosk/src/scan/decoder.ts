// Loaded with import() when the camera starts, so zxing stays out of the initial bundle (its own chunk, precached).
import { HTMLCanvasElementLuminanceSource } from '@zxing/browser';
import { BinaryBitmap, HybridBinarizer, QRCodeReader } from '@zxing/library';
import { FRAME_VARIANTS, frameSize } from './frame-sizes';

export type FrameDecoder = (video: HTMLVideoElement) => string | null;

const reader = new QRCodeReader();
let canvas: HTMLCanvasElement | undefined;

/** Reads a QR code from an image drawn at the given variant's size and smoothing; null if none is found. */
export function decodeImage(source: CanvasImageSource, width: number, height: number, variant: number): string | null {
  canvas ??= document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context || width === 0 || height === 0) return null;
  const size = frameSize(variant, width, height);
  if (canvas.width !== size.width || canvas.height !== size.height) {
    canvas.width = size.width;
    canvas.height = size.height;
  }
  context.imageSmoothingEnabled = size.smooth;
  context.imageSmoothingQuality = 'high';
  context.drawImage(source, 0, 0, size.width, size.height);
  try {
    return reader.decode(new BinaryBitmap(new HybridBinarizer(new HTMLCanvasElementLuminanceSource(canvas)))).getText();
  } catch {
    // NotFound, Checksum and Format errors all mean "no readable code in this frame".
    return null;
  } finally {
    reader.reset();
  }
}

/** Reads the current video frame, each call with the next of FRAME_VARIANTS (frame-sizes.ts says why). */
export function createFrameDecoder(): FrameDecoder {
  let attempt = 0;
  return (video) => {
    if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return null;
    return decodeImage(video, video.videoWidth, video.videoHeight, attempt++ % FRAME_VARIANTS.length);
  };
}
