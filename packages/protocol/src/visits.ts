import { z } from 'zod';
import { email, flag, id, languageSchema, queryInt, text, timestamp } from './primitives';

export const VISIT_STATUSES = ['expected', 'checked_in', 'checked_out', 'cancelled', 'expired'] as const;
export const visitStatusSchema = z.enum(VISIT_STATUSES);
export type VisitStatus = z.infer<typeof visitStatusSchema>;

export const visitorInputSchema = z.object({
  name: text({ max: 200 }),
  email: email().optional(),
  company: text({ max: 200, min: 0 }).optional(),
  phone: text({ max: 50, min: 0 }).optional(),
  /** The language of the visitor's emails; the site's language when not given. */
  language: languageSchema.optional(),
});

export const createVisitSchema = z.object({
  siteId: id('a site id'),
  visitor: visitorInputSchema,
  expectedArrival: timestamp('arrival'),
  expectedDeparture: timestamp('departure'),
  hostUserId: id('a user id').optional(),
  /** Email the visitor an invitation with the QR code (default: when visitor.email is given and email is on). */
  sendInvitation: flag().optional(),
});
export type CreateVisitRequest = z.infer<typeof createVisitSchema>;

export const updateVisitSchema = z
  .object({
    visitor: visitorInputSchema.partial().optional(),
    expectedArrival: timestamp('arrival').optional(),
    expectedDeparture: timestamp('departure').optional(),
    hostUserId: id('a user id').optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change', path: ['expectedArrival'] });

export const visitSchema = z.object({
  id: z.uuid(),
  status: visitStatusSchema,
  siteId: z.uuid(),
  visitorId: z.uuid(),
  visitor: z.object({
    id: z.uuid(),
    name: z.string(),
    email: z.string().nullable(),
    company: z.string().nullable(),
    phone: z.string().nullable(),
  }),
  hostUserId: z.uuid().nullable(),
  hostName: z.string().nullable(),
  expectedArrival: z.string(),
  expectedDeparture: z.string(),
  checkedInAt: z.string().nullable(),
  checkedOutAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Visit = z.infer<typeof visitSchema>;

/** POST /visits answers the visit plus its QR token (shown once here; GET /visits/:id/qr renders it again). */
export const createdVisitSchema = visitSchema.extend({ qrToken: z.string() });
export type CreatedVisit = z.infer<typeof createdVisitSchema>;

/** POST /visits/:id/check-out (staff). */
export const visitCheckedOutSchema = z.object({ id: z.uuid(), status: z.literal('checked_out') });

export const listVisitsQuerySchema = z.object({
  siteId: id('a site id').optional(),
  status: visitStatusSchema.optional(),
  from: timestamp('from').optional(),
  to: timestamp('to').optional(),
  q: text({ max: 100, min: 0 }).optional(),
  limit: queryInt({ min: 1, max: 200 }).default(50),
  before: text({ max: 100, min: 0 }).optional(),
});

export const onSiteEntrySchema = z.object({
  visitId: z.uuid(),
  visitorId: z.uuid(),
  name: z.string(),
  hostName: z.string().nullable(),
  checkedInAt: z.string(),
  offline: z.boolean(),
});
export type OnSiteEntry = z.infer<typeof onSiteEntrySchema>;

export const voucherSchema = z.object({
  username: z.string(),
  password: z.string(),
  ssid: z.string(),
  validUntil: z.string(),
});
export type Voucher = z.infer<typeof voucherSchema>;
