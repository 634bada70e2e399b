import { describe, expect, it } from 'vitest';
import { ConnectivityMonitor } from './connectivity';

describe('ConnectivityMonitor', () => {
  it('combines the browser online flag with whether the server answered', () => {
    const monitor = new ConnectivityMonitor(true);
    const seen: string[] = [];
    monitor.subscribe(() => seen.push(monitor.getSnapshot()));
    monitor.setServerReachable(false);
    monitor.setServerReachable(false);
    monitor.setBrowserOnline(false);
    monitor.setBrowserOnline(true);
    monitor.setServerReachable(true);
    expect(seen).toEqual(['unreachable', 'offline', 'online']);
    expect(new ConnectivityMonitor(false).getSnapshot()).toBe('offline');
  });
});
