import { describe, expect, it } from 'vitest';
import { agentImage, agentServerUrl } from './urls';

describe('the agent URL the dashboard hands out', () => {
  it.each([
    [{ PUBLIC_URL: 'https://atrium.example.com' }, 'wss://atrium.example.com/agent/ws'],
    [{ PUBLIC_URL: 'https://atrium.example.com:8443/' }, 'wss://atrium.example.com:8443/agent/ws'],
    [{ PUBLIC_URL: 'https://atrium.example.com', AGENT_TLS_PORT: 9443 }, 'wss://atrium.example.com/agent/ws'],
    [{ PUBLIC_URL: 'http://atrium.lan:8080', AGENT_TLS_PORT: 8443 }, 'wss://atrium.lan:8443/agent/ws'],
    [{ AGENT_TLS_PORT: 8443 }, 'wss://localhost:8443/agent/ws'],
    // Nothing listens for agents: no URL rather than a dead one.
    [{ PUBLIC_URL: 'http://atrium.lan:8080' }, null],
    [{}, null],
  ])('%j → %s', (config, url) => {
    expect(agentServerUrl(config)).toBe(url);
  });
});

describe('the agent image the dashboard names', () => {
  it('is the release of this server, from the published registry or the configured one', () => {
    expect(agentImage({})).toMatch(/^ghcr\.io\/atrium-visitor\/atrium-agent:\d+\.\d+\.\d+$/);
    expect(agentImage({ ATRIUM_IMAGE_REGISTRY: 'registry.example.com/it' })).toMatch(
      /^registry\.example\.com\/it\/atrium-agent:\d+\.\d+\.\d+$/,
    );
  });
});
