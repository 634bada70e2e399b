import zxing from '@zxing/library';
import { PNG } from 'pngjs';

// CommonJS: names are read off the default export so Node's ESM loader and tsx agree.
const { BinaryBitmap, DecodeHintType, HybridBinarizer, QRCodeReader, RGBLuminanceSource } = zxing;

/** Reads the QR code in a generated PNG (nothing but the code and its margin) back to its text, as zxing does. */
export function decodeQrPng(png: Buffer): string {
  const image = PNG.sync.read(png);
  const luma = new Uint8ClampedArray(image.width * image.height);
  for (let i = 0; i < luma.length; i++) {
    const [r, g, b] = [image.data[i * 4]!, image.data[i * 4 + 1]!, image.data[i * 4 + 2]!];
    luma[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
  }
  const source = new RGBLuminanceSource(luma, image.width, image.height);
  const hints = new Map([[DecodeHintType.PURE_BARCODE, true]]);
  return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source)), hints).getText();
}

/** The properties of an iCalendar text (RFC 5545 lines unfolded), e.g. METHOD, DTSTART, UID, by name. */
export function icsProperties(ics: string): Map<string, string[]> {
  const lines = ics.replace(/\r\n[ \t]/g, '').split(/\r\n/);
  const props = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).split(';')[0]!;
    props.set(name, [...(props.get(name) ?? []), line.slice(colon + 1)]);
  }
  return props;
}

/** 20261125T090000Z → Date. */
export function icsTime(value: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) throw new Error(`not a UTC iCalendar time: ${value}`);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}
