import type { MessageKind } from '@atrium/protocol';

export type Language = 'en' | 'de';

/** What a message says, before it is put into the HTML and plain-text templates. */
export interface MessageContent {
  subject: string;
  heading: string;
  paragraphs: string[];
  rows: { label: string; value: string; mono?: boolean }[];
  footer: string;
  /** The QR code's caption and alternative text (invitations only). */
  qr?: { alt: string; hint: string };
}

/** The facts a message is made of, read by id when it is sent. */
export interface MessageFacts {
  siteName: string;
  siteAddress: string;
  timezone: string;
  visitorName: string;
  company: string | null;
  hostName: string | null;
  arrival: Date;
  departure: Date;
  checkIn?: { at: Date; kioskName: string | null; offline: boolean };
  wifi?: { ssid: string; username: string; password: string; validUntil: Date };
}

const LOCALES: Record<Language, string> = { en: 'en-GB', de: 'de-DE' };

export function formatTime(language: Language, timezone: string, at: Date): string {
  return new Intl.DateTimeFormat(LOCALES[language], {
    dateStyle: 'full',
    timeStyle: 'short',
    timeZone: timezone,
  }).format(at);
}

type Builder = (f: MessageFacts, time: (at: Date) => string) => MessageContent;

const en: Record<Exclude<MessageKind, 'chat_arrival'>, Builder> = {
  invitation: (f, time) => ({
    subject: `Your visit to ${f.siteName} on ${time(f.arrival)}`,
    heading: `Welcome, ${f.visitorName}`,
    paragraphs: [
      `You are expected at ${f.siteName}${f.hostName ? ` by ${f.hostName}` : ''}.`,
      'Show the QR code below at the kiosk in reception when you arrive; you can scan it straight from your phone.',
    ],
    rows: [
      { label: 'Arrival', value: time(f.arrival) },
      { label: 'Departure', value: time(f.departure) },
      { label: 'Where', value: [f.siteName, f.siteAddress].filter(Boolean).join('\n') },
      ...(f.hostName ? [{ label: 'Host', value: f.hostName }] : []),
    ],
    footer: 'The calendar entry attached keeps the time in your calendar. This code works for this visit only.',
    qr: { alt: 'Your visitor QR code', hint: 'Your check-in code' },
  }),
  cancellation: (f, time) => ({
    subject: `Cancelled: your visit to ${f.siteName} on ${time(f.arrival)}`,
    heading: 'Your visit has been cancelled',
    paragraphs: [`Your visit to ${f.siteName} on ${time(f.arrival)} has been cancelled. Your code no longer works.`],
    rows: [{ label: 'Where', value: [f.siteName, f.siteAddress].filter(Boolean).join('\n') }],
    footer: 'The calendar entry attached removes the visit from your calendar.',
  }),
  host_arrival: (f, time) => ({
    subject: `${f.visitorName} has arrived at ${f.siteName}`,
    heading: `${f.visitorName} has arrived`,
    paragraphs: [`Your visitor checked in at ${f.siteName}.`],
    rows: [
      { label: 'Visitor', value: f.visitorName },
      ...(f.company ? [{ label: 'Company', value: f.company }] : []),
      { label: 'Where', value: f.siteName },
      { label: 'When', value: time(f.checkIn!.at) },
      { label: 'Kiosk', value: f.checkIn!.kioskName ?? 'Reception (by staff)' },
      ...(f.checkIn!.offline
        ? [{ label: 'Note', value: 'The kiosk was offline; this arrival was synced later.' }]
        : []),
    ],
    footer: 'You get these emails as a host. Turn them off on your profile page.',
  }),
  wifi_details: (f, time) => ({
    subject: `Your WiFi at ${f.siteName}`,
    heading: 'Your WiFi access',
    paragraphs: [`Welcome to ${f.siteName}. Connect to the guest network with these details.`],
    rows: [
      { label: 'Network', value: f.wifi!.ssid },
      { label: 'Username', value: f.wifi!.username, mono: true },
      { label: 'Password', value: f.wifi!.password, mono: true },
      { label: 'Valid until', value: time(f.wifi!.validUntil) },
    ],
    footer: 'These details are for you alone and stop working when your visit ends.',
  }),
};

const de: typeof en = {
  invitation: (f, time) => ({
    subject: `Ihr Besuch bei ${f.siteName} am ${time(f.arrival)}`,
    heading: `Willkommen, ${f.visitorName}`,
    paragraphs: [
      `Sie werden bei ${f.siteName} erwartet${f.hostName ? ` von ${f.hostName}` : ''}.`,
      'Zeigen Sie den QR-Code unten bei Ihrer Ankunft am Kiosk am Empfang vor; Sie können ihn direkt vom Handy scannen.',
    ],
    rows: [
      { label: 'Ankunft', value: time(f.arrival) },
      { label: 'Abreise', value: time(f.departure) },
      { label: 'Ort', value: [f.siteName, f.siteAddress].filter(Boolean).join('\n') },
      ...(f.hostName ? [{ label: 'Gastgeber', value: f.hostName }] : []),
    ],
    footer:
      'Der angehängte Kalendereintrag trägt den Termin in Ihren Kalender ein. Der Code gilt nur für diesen Besuch.',
    qr: { alt: 'Ihr QR-Code für den Besuch', hint: 'Ihr Check-in-Code' },
  }),
  cancellation: (f, time) => ({
    subject: `Abgesagt: Ihr Besuch bei ${f.siteName} am ${time(f.arrival)}`,
    heading: 'Ihr Besuch wurde abgesagt',
    paragraphs: [`Ihr Besuch bei ${f.siteName} am ${time(f.arrival)} wurde abgesagt. Ihr Code gilt nicht mehr.`],
    rows: [{ label: 'Ort', value: [f.siteName, f.siteAddress].filter(Boolean).join('\n') }],
    footer: 'Der angehängte Kalendereintrag entfernt den Termin aus Ihrem Kalender.',
  }),
  host_arrival: (f, time) => ({
    subject: `${f.visitorName} ist bei ${f.siteName} angekommen`,
    heading: `${f.visitorName} ist angekommen`,
    paragraphs: [`Ihr Besuch hat sich bei ${f.siteName} angemeldet.`],
    rows: [
      { label: 'Besucher', value: f.visitorName },
      ...(f.company ? [{ label: 'Firma', value: f.company }] : []),
      { label: 'Ort', value: f.siteName },
      { label: 'Zeit', value: time(f.checkIn!.at) },
      { label: 'Kiosk', value: f.checkIn!.kioskName ?? 'Empfang (durch Personal)' },
      ...(f.checkIn!.offline
        ? [{ label: 'Hinweis', value: 'Der Kiosk war offline; diese Ankunft wurde später übertragen.' }]
        : []),
    ],
    footer: 'Sie erhalten diese E-Mails als Gastgeber. Sie können sie in Ihrem Profil abschalten.',
  }),
  wifi_details: (f, time) => ({
    subject: `Ihr WLAN bei ${f.siteName}`,
    heading: 'Ihr WLAN-Zugang',
    paragraphs: [`Willkommen bei ${f.siteName}. Verbinden Sie sich mit diesen Daten mit dem Gäste-WLAN.`],
    rows: [
      { label: 'Netzwerk', value: f.wifi!.ssid },
      { label: 'Benutzername', value: f.wifi!.username, mono: true },
      { label: 'Passwort', value: f.wifi!.password, mono: true },
      { label: 'Gültig bis', value: time(f.wifi!.validUntil) },
    ],
    footer: 'Diese Zugangsdaten gelten nur für Sie und enden mit Ihrem Besuch.',
  }),
};

const BUILDERS = { en, de };

/** The content of an email of `kind` in `language`, with times in the site's time zone. */
export function messageContent(
  kind: Exclude<MessageKind, 'chat_arrival'>,
  language: Language,
  facts: MessageFacts,
): MessageContent {
  return BUILDERS[language][kind](facts, (at) => formatTime(language, facts.timezone, at));
}

/** The one line a chat channel gets about an arrival (site language). */
export function chatLine(language: Language, facts: MessageFacts): string {
  const who = facts.company ? `${facts.visitorName} (${facts.company})` : facts.visitorName;
  const time = formatTime(language, facts.timezone, facts.checkIn!.at);
  const host = facts.hostName ?? '';
  return language === 'de'
    ? `${who} ist bei ${facts.siteName} angekommen (${time})${host ? ` – Gastgeber: ${host}` : ''}.`
    : `${who} has arrived at ${facts.siteName} (${time})${host ? ` – host: ${host}` : ''}.`;
}
