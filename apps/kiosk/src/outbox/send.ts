import { ApiError } from '@atrium/web-kit';
import type { KioskApi } from '../api';
import { isDefinitiveFailure, type Sender } from './outbox';

/** Sends outbox entries through the kiosk API and sorts each answer into accepted, refused for good, or retry. */
export function apiSender(api: KioskApi): Sender {
  return async (entry) => {
    try {
      // A first attempt that did not get through means the visitor was let in on the kiosk's word alone: say so, so
      // the server files it as offline and a second kiosk's copy of the same code as a conflict.
      const sent = entry.attempts > 0 ? { ...entry.body, offline: true } : entry.body;
      const { status, body } = await api.submit(entry.kind, sent);
      return { type: 'accepted', status, body };
    } catch (error) {
      if (error instanceof ApiError) {
        return isDefinitiveFailure(error.status)
          ? { type: 'rejected', status: error.status, code: error.code, message: error.message }
          : { type: 'retry', reason: error.code };
      }
      return { type: 'retry', reason: error instanceof Error ? error.message : String(error) };
    }
  };
}
