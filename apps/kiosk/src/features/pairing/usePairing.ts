import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { KioskApi } from '../../api';
import type { PairedDevice } from '../../device/types';
import { useLatest } from '../../ui/hooks';
import { pairingKeys } from './keys';
import { pollDelayMs, pollOnce, startRetryDelayMs } from './pairing';

/**
 * Device-flow pairing: a 6-digit code to show (a new one when it expires), polled with the secret device code at the
 * server's interval (slower after each slow_down) until a receptionist confirms it and the token arrives, once.
 */
export function usePairing(api: KioskApi, onPaired: (device: PairedDevice) => void) {
  const slowDowns = useRef(0);
  const paired = useLatest(onPaired);

  const code = useQuery({
    queryKey: pairingKeys.code(),
    queryFn: async () => {
      const started = await api.startPairing();
      slowDowns.current = 0;
      return { ...started, receivedAt: Date.now() };
    },
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
    // The code rotates on screen when it expires.
    refetchInterval: (query) => (query.state.data ? query.state.data.expiresIn * 1000 : false),
    refetchIntervalInBackground: true,
    refetchOnWindowFocus: false,
    retry: true,
    retryDelay: startRetryDelayMs,
  });

  const started = code.data;
  const poll = useQuery({
    queryKey: pairingKeys.poll(started?.deviceCode ?? ''),
    queryFn: async () => {
      const outcome = await pollOnce(api, started!.deviceCode);
      if (outcome.status === 'slow_down') slowDowns.current += 1;
      return outcome;
    },
    enabled: started !== undefined,
    gcTime: 0,
    retry: false,
    refetchOnWindowFocus: false,
    refetchIntervalInBackground: true,
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      if (!started || status === 'paired' || status === 'expired') return false;
      return pollDelayMs(started.interval, slowDowns.current);
    },
  });

  const outcome = poll.data;
  const { refetch } = code;
  useEffect(() => {
    if (outcome?.status === 'expired') void refetch();
    if (outcome?.status === 'paired') {
      paired.current({ token: outcome.deviceToken, kiosk: outcome.kiosk, pairedAt: Date.now() });
    }
  }, [outcome, refetch, paired]);

  return {
    code: started?.code ?? null,
    expiresAt: started ? started.receivedAt + started.expiresIn * 1000 : null,
    expiresIn: (started?.expiresIn ?? 0) * 1000,
    unreachable: code.failureCount > 0 || outcome?.status === 'unreachable' || poll.isError,
    pairedAs: outcome?.status === 'paired' ? outcome.kiosk.name : null,
  };
}
