import { ApiError, type KioskApi } from '../api';
import { isDefinitiveFailure, type Sender } from './outbox';

/** Sends outbox entries through the kiosk API and sorts each answer into accepted, refused for good, or retry. */
export function apiSender(api: KioskApi): Sender {
  return async (entry) => {
    try {
      const { status, body } = await api.submit(entry.kind, entry.body);
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
