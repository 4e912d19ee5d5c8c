import { afterEach, describe, expect, it } from 'vitest';
import { serveForTest } from './test-server.ts';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function whoami(trustedProxies: string[] | undefined, headers: Record<string, string>) {
  const s = await serveForTest({ trustedProxies });
  close = s.close;
  const res = await fetch(`${s.url}/api/whoami`, { headers });
  return { ...((await res.json()) as { ip: string; host: string }), ownHost: new URL(s.url).host };
}

const spoofed = { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-host': 'evil.example' };

describe('TRUSTED_PROXIES', () => {
  it('by default believes no forward header: the client address and host are the connection\'s own', async () => {
    const seen = await whoami(undefined, spoofed);
    expect(seen.ip).toBe('127.0.0.1');
    expect(seen.host).toBe(seen.ownHost);
  });

  it('believes them from a listed proxy only', async () => {
    const other = await whoami(['10.0.0.1', '192.168.0.0/16'], spoofed);
    expect(other.ip).toBe('127.0.0.1');
    expect(other.host).toBe(other.ownHost);
    await close?.();
    const listed = await whoami(['127.0.0.1'], spoofed);
    expect(listed.ip).toBe('203.0.113.7');
    expect(listed.host).toBe('evil.example');
  });

  it('takes from a chain the first address a trusted proxy did not add', async () => {
    const seen = await whoami(['127.0.0.0/8'], { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' });
    expect(seen.ip).toBe('203.0.113.9');
  });
});
