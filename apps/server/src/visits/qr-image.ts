import QRCode from 'qrcode';

// Level M with the standard 4-module quiet zone: what the kiosk reads from paper and from a phone screen.
const QR_OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;

/** A visit's QR code as a PNG (8 px per module: sharp on a phone screen and on paper). */
export function qrPng(token: string): Promise<Buffer> {
  return QRCode.toBuffer(token, { ...QR_OPTIONS, type: 'png', scale: 8 });
}

/** A visit's QR code as SVG. */
export function qrSvg(token: string): Promise<string> {
  return QRCode.toString(token, { ...QR_OPTIONS, type: 'svg' });
}
