import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Mustache from 'mustache';
import type { Language, MessageContent } from './content';

const TEMPLATES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'templates');
const HTML = fs.readFileSync(path.join(TEMPLATES, 'message.html.mustache'), 'utf8');
const TEXT = fs.readFileSync(path.join(TEMPLATES, 'message.txt.mustache'), 'utf8');

/** The Content-ID of an invitation's inline QR code. */
export const QR_CID = 'visit-qr@atrium';

/** An email's HTML and plain-text bodies from the templates (HTML-escaped by mustache). */
export function renderEmail(content: MessageContent, language: Language, siteName: string) {
  const view = {
    ...content,
    lang: language,
    siteName,
    qrCid: content.qr ? QR_CID : null,
    qrAlt: content.qr?.alt,
    qrHint: content.qr?.hint,
  };
  return { html: Mustache.render(HTML, view), text: Mustache.render(TEXT, view) };
}
