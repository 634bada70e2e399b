import type { MessageKind } from '@atrium/protocol';
import type { SendMailOptions } from 'nodemailer';
import type { Signer } from '../auth/keys';
import type { SecretBox } from '../crypto/secret-box';
import type { Tx } from '../db';
import { qrPng } from '../visits/qr-image';
import { qrTokenFor } from '../visits/qr-tokens';
import { siteSettings } from '../visits/settings';
import { voucherContext } from '../visits/vouchers';
import { chatLine, type Language, type MessageFacts, messageContent } from './content';
import { parseAddress, visitCalendar } from './ics';
import { QR_CID, renderEmail } from './render';

/** What one queued message turns into when it is due: an email, a chat post, or nothing to send (and why). */
export type Outgoing =
  | { type: 'email'; mail: SendMailOptions }
  | { type: 'chat'; url: string; text: string }
  | { type: 'none'; reason: string };

export interface QueuedMessage {
  id: string;
  kind: MessageKind;
  visitId: string;
  userId: string | null;
}

/** The visit, its visitor, site and host, read at send time (nothing personal is stored with the message). */
function readVisit(tx: Tx, visitId: string) {
  return tx
    .selectFrom('visits as v')
    .innerJoin('visitors as p', 'p.id', 'v.visitor_id')
    .innerJoin('sites as s', 's.id', 'v.site_id')
    .leftJoin('users as h', 'h.id', 'v.host_user_id')
    .select([
      'v.expected_arrival',
      'v.expected_departure',
      'v.created_at',
      'v.updated_at',
      'p.name',
      'p.email',
      'p.company',
      'p.language',
      's.name as site_name',
      's.timezone',
      's.wifi_ssid',
      's.settings',
      'h.name as host_name',
    ])
    .where('v.id', '=', visitId)
    .executeTakeFirst();
}

/** The visit's check-in as staff see it: when, at which kiosk, whether it was queued offline. */
function readCheckIn(tx: Tx, visitId: string) {
  return tx
    .selectFrom('check_ins as c')
    .leftJoin('kiosks as k', 'k.id', 'c.kiosk_id')
    .select(['c.occurred_at', 'c.offline', 'k.name as kiosk_name'])
    .where('c.visit_id', '=', visitId)
    .where('c.kind', 'in', ['check_in', 'walk_in'])
    .where('c.voucher_id', 'is not', null)
    .orderBy('c.received_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

async function readWifi(tx: Tx, box: SecretBox, visitId: string, ssid: string) {
  const voucher = await tx
    .selectFrom('vouchers')
    .select(['id', 'username', 'password_sealed', 'valid_until'])
    .where('visit_id', '=', visitId)
    .where('status', '=', 'active')
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return (
    voucher && {
      ssid,
      username: voucher.username,
      password: box.open(voucher.password_sealed, voucherContext(voucher.id)).toString(),
      validUntil: voucher.valid_until,
    }
  );
}

/**
 * Builds what a due message sends, from the current state of its visit (inside the caller's tenant transaction). The
 * invitation's QR code is signed now with `signer`, which the caller fetched before opening the transaction.
 */
export async function compose(
  tx: Tx,
  deps: { box: SecretBox; from: string; signer?: Signer },
  message: QueuedMessage,
): Promise<Outgoing> {
  const visit = await readVisit(tx, message.visitId);
  if (!visit) return { type: 'none', reason: 'The visit no longer exists.' };
  const settings = siteSettings(visit.settings);
  const facts: MessageFacts = {
    siteName: visit.site_name,
    siteAddress: settings.address,
    timezone: visit.timezone,
    visitorName: visit.name,
    company: visit.company,
    hostName: visit.host_name,
    arrival: visit.expected_arrival,
    departure: visit.expected_departure,
  };
  if (message.kind === 'host_arrival' || message.kind === 'chat_arrival') {
    const checkIn = await readCheckIn(tx, message.visitId);
    if (!checkIn) return { type: 'none', reason: 'The visit has no check-in.' };
    facts.checkIn = { at: checkIn.occurred_at, kioskName: checkIn.kiosk_name, offline: checkIn.offline };
  }
  if (message.kind === 'chat_arrival') {
    if (!settings.chatWebhookUrl) return { type: 'none', reason: 'The site has no chat webhook any more.' };
    return { type: 'chat', url: settings.chatWebhookUrl, text: chatLine(settings.language, facts) };
  }

  let to: string;
  let language: Language = (visit.language as Language | null) ?? settings.language;
  if (message.kind === 'host_arrival') {
    const host = await tx
      .selectFrom('users')
      .select(['email', 'name', 'status', 'email_notifications'])
      .where('id', '=', message.userId!)
      .executeTakeFirst();
    if (host?.status !== 'active') return { type: 'none', reason: 'The host is no longer an active user.' };
    if (!host.email_notifications) return { type: 'none', reason: 'The host turned arrival emails off.' };
    to = host.email;
    language = settings.language;
  } else {
    if (!visit.email) return { type: 'none', reason: 'The visitor has no email address.' };
    to = visit.email;
  }
  if (message.kind === 'wifi_details') {
    facts.wifi = await readWifi(tx, deps.box, message.visitId, visit.wifi_ssid);
    if (!facts.wifi) return { type: 'none', reason: 'The visit has no active WiFi voucher.' };
  }

  const content = messageContent(message.kind, language, facts);
  const attachments: NonNullable<SendMailOptions['attachments']> = [];
  let icalEvent: SendMailOptions['icalEvent'];
  if (message.kind === 'invitation' || message.kind === 'cancellation') {
    const method = message.kind === 'invitation' ? 'REQUEST' : 'CANCEL';
    const calendar = visitCalendar(
      {
        visitId: message.visitId,
        sequence: Math.max(0, Math.floor((visit.updated_at.getTime() - visit.created_at.getTime()) / 1000)),
        start: visit.expected_arrival,
        end: visit.expected_departure,
        summary: content.subject,
        location: [facts.siteName, facts.siteAddress].filter(Boolean).join(', ').replace(/\n/g, ', '),
        description: content.paragraphs.join('\n'),
        organizer: parseAddress(deps.from),
        attendee: { name: visit.name, email: to },
      },
      method,
    );
    icalEvent = { method, filename: 'visit.ics', content: calendar };
  }
  if (message.kind === 'invitation') {
    const token = deps.signer && (await qrTokenFor(tx, deps.signer, message.visitId));
    if (!token) return { type: 'none', reason: 'The visit has no valid QR code (used, replaced or cancelled).' };
    attachments.push({ filename: 'visit-qr.png', content: await qrPng(token), cid: QR_CID, contentType: 'image/png' });
  }
  const body = renderEmail(content, language, facts.siteName);
  return {
    type: 'email',
    mail: {
      to,
      subject: content.subject,
      ...body,
      attachments,
      ...(icalEvent ? { icalEvent } : {}),
    },
  };
}
