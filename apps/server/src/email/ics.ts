import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';

export interface VisitEvent {
  visitId: string;
  /** Grows with every change of the visit, so calendars replace the earlier entry (RFC 5545 SEQUENCE). */
  sequence: number;
  start: Date;
  end: Date;
  summary: string;
  location: string;
  description: string;
  organizer: { name: string; email: string };
  attendee: { name: string; email: string };
}

/** The visit as an iTIP request (invitation) or cancellation: the same UID, so the second removes the first. */
export function visitCalendar(event: VisitEvent, method: 'REQUEST' | 'CANCEL'): string {
  const calendar = ical({
    prodId: { company: 'Atrium', product: 'Atrium visitor management', language: 'EN' },
    method: method === 'REQUEST' ? ICalCalendarMethod.REQUEST : ICalCalendarMethod.CANCEL,
  });
  calendar.createEvent({
    id: `${event.visitId}@atrium`,
    sequence: event.sequence,
    start: event.start,
    end: event.end,
    summary: event.summary,
    location: event.location,
    description: event.description,
    status: method === 'REQUEST' ? ICalEventStatus.CONFIRMED : ICalEventStatus.CANCELLED,
    organizer: event.organizer,
    attendees: [{ ...event.attendee, rsvp: false }],
  });
  return calendar.toString();
}

/** `Atrium <visitors@example.com>` → its name and address. */
export function parseAddress(from: string): { name: string; email: string } {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(from);
  return match ? { name: match[1]!.trim() || match[2]!, email: match[2]! } : { name: from.trim(), email: from.trim() };
}
