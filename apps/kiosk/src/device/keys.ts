/** TanStack Query keys of the device feature (the kiosk's synced config). */
export const deviceKeys = {
  all: ['device'] as const,
  config: (kioskId: string) => [...deviceKeys.all, 'config', kioskId] as const,
};
