import { describe, expect, it } from 'vitest';
import { type MessageFacts, messageContent } from './content';
import { renderEmail } from './render';

const facts: MessageFacts = {
  siteName: 'Berlin <Office>',
  siteAddress: 'Hauptstraße 1\n10115 Berlin',
  timezone: 'Europe/Berlin',
  visitorName: 'Ada <script>alert(1)</script> Lovelace',
  company: 'Analytical & Engines',
  hostName: 'Grace Hopper',
  arrival: new Date('2026-12-01T08:00:00Z'),
  departure: new Date('2026-12-01T12:30:00Z'),
};

describe('email content and templates', () => {
  it('writes the invitation in English and German with times in the site zone', () => {
    const en = renderEmail(messageContent('invitation', 'en', facts), 'en', facts.siteName);
    expect(en.text).toContain('Arrival: Tuesday, 1 December 2026 at 09:00');
    expect(en.text).toContain('Departure: Tuesday, 1 December 2026 at 13:30');
    const de = renderEmail(messageContent('invitation', 'de', facts), 'de', facts.siteName);
    expect(de.text).toContain('Ankunft: Dienstag, 1. Dezember 2026 um 09:00');
    expect(de.html).toContain('<html lang="de">');
    expect(de.html).toContain('src="cid:visit-qr@atrium"');
  });

  it('escapes names in HTML and leaves the plain text readable', () => {
    const { html, text } = renderEmail(messageContent('invitation', 'en', facts), 'en', facts.siteName);
    expect(html).not.toContain('<script>');
    expect(html).toContain('Ada &lt;script&gt;alert(1)&lt;&#x2F;script&gt; Lovelace');
    expect(text).toContain('Welcome, Ada <script>alert(1)</script> Lovelace');
  });

  it('lists the WiFi details and the arrival facts a host needs', () => {
    const wifi = { ssid: 'Guest', username: 'v-1234', password: 'correct-horse', validUntil: facts.departure };
    const details = renderEmail(messageContent('wifi_details', 'en', { ...facts, wifi }), 'en', facts.siteName);
    expect(details.text).toMatch(/Network: Guest\nUsername: v-1234\nPassword: correct-horse\nValid until: .*13:30/);
    const checkIn = { at: new Date('2026-12-01T08:05:00Z'), kioskName: 'Main lobby', offline: true };
    const arrival = renderEmail(messageContent('host_arrival', 'de', { ...facts, checkIn }), 'de', facts.siteName);
    expect(arrival.text).toContain('Firma: Analytical & Engines');
    expect(arrival.text).toContain('Kiosk: Main lobby');
    expect(arrival.text).toContain('Zeit: Dienstag, 1. Dezember 2026 um 09:05');
    expect(arrival.html).not.toContain('cid:');
  });
});
