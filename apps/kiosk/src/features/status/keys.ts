/** TanStack Query keys of the status feature (local data: refusals kept in IndexedDB). */
export const statusKeys = {
  all: ['status'] as const,
  rejections: () => [...statusKeys.all, 'rejections'] as const,
};
