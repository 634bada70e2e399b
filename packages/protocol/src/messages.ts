import { z } from 'zod';
import { flag, id, queryInt } from './primitives';

/** What the server emails (and posts to a site's chat webhook) about visits. */
export const MESSAGE_KINDS = ['invitation', 'cancellation', 'host_arrival', 'wifi_details', 'chat_arrival'] as const;
export const messageKindSchema = z.enum(MESSAGE_KINDS);
export type MessageKind = z.infer<typeof messageKindSchema>;

export const MESSAGE_STATES = ['queued', 'sent', 'failed'] as const;
export const messageStateSchema = z.enum(MESSAGE_STATES, { error: 'must be queued, sent or failed' });
export type MessageState = z.infer<typeof messageStateSchema>;

export const listMessagesQuerySchema = z.object({
  state: messageStateSchema.optional(),
  siteId: id('a site id').optional(),
  visitId: id('a visit id').optional(),
  limit: queryInt({ min: 1, max: 500 }).default(100),
});

/** One queued, sent or failed message: no addresses or names, only what happened to it. */
export const messageSchema = z.object({
  id: z.uuid(),
  kind: messageKindSchema,
  state: messageStateSchema,
  siteId: z.uuid(),
  visitId: z.uuid(),
  attempts: z.number().int(),
  /** Why the last attempt failed (the SMTP server's reply, or the network error). */
  lastError: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});
export type Message = z.infer<typeof messageSchema>;

/** POST /visits/:id/invitation: the invitation is queued and goes out within seconds. */
export const invitationQueuedSchema = z.object({ messageId: z.uuid(), state: z.literal('queued') });
export type InvitationQueued = z.infer<typeof invitationQueuedSchema>;

/** POST /me/notifications: the user's own choice of arrival emails (also shown by GET /me). */
export const notificationPreferencesSchema = z.object({ emailOnArrival: flag() });
export type NotificationPreferences = z.infer<typeof notificationPreferencesSchema>;
