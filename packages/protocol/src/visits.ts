import { z } from 'zod';

const isoTime = (what: string) =>
  z.iso.datetime({
    offset: true,
    error: `must be an ISO 8601 time with a time zone, e.g. 2026-11-23T09:00:00Z (${what})`,
  });

export const VISIT_STATUSES = ['expected', 'checked_in', 'checked_out', 'cancelled', 'expired'] as const;
export const visitStatusSchema = z.enum(VISIT_STATUSES);
export type VisitStatus = z.infer<typeof visitStatusSchema>;

export const visitorInputSchema = z.object({
  name: z.string({ error: 'is required' }).trim().min(1, 'is required').max(200),
  email: z.string().trim().toLowerCase().pipe(z.email('must be an email address').max(320)).optional(),
  company: z.string().trim().max(200).optional(),
  phone: z.string().trim().max(50).optional(),
});

export const createVisitSchema = z.object({
  siteId: z.uuid('must be a site id'),
  visitor: visitorInputSchema,
  expectedArrival: isoTime('arrival'),
  expectedDeparture: isoTime('departure'),
  hostUserId: z.uuid('must be a user id').optional(),
});
export type CreateVisitRequest = z.infer<typeof createVisitSchema>;

export const updateVisitSchema = z
  .object({
    visitor: visitorInputSchema.partial().optional(),
    expectedArrival: isoTime('arrival').optional(),
    expectedDeparture: isoTime('departure').optional(),
    hostUserId: z.uuid().optional(),
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
export type CreatedVisit = Visit & { qrToken: string };

export const listVisitsQuerySchema = z.object({
  siteId: z.uuid().optional(),
  status: visitStatusSchema.optional(),
  from: isoTime('from').optional(),
  to: isoTime('to').optional(),
  q: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().max(100).optional(),
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
