/** TanStack Query keys of the pairing feature. */
export const pairingKeys = {
  all: ['pairing'] as const,
  code: () => [...pairingKeys.all, 'code'] as const,
  poll: (deviceCode: string) => [...pairingKeys.all, 'poll', deviceCode] as const,
};
