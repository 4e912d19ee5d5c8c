import { describe, expect, it } from 'vitest';
import { EnvelopeError, newKey, open, seal, unwrapKey, wrapKey } from './envelope.ts';
import { MasterKeys, masterKeyId, parseMasterKey } from './masterKeys.ts';

const text = Buffer.from('Ada Lovelace, ada@example.com', 'utf8');

describe('the AES-256-GCM envelope', () => {
  it('opens what it sealed, with the same key and aad; every seal has its own IV', () => {
    const key = newKey();
    const a = seal(key, text, 'event-1');
    const b = seal(key, text, 'event-1');
    expect(a.iv).not.toBe(b.iv);
    expect(a.data).not.toContain('Ada');
    expect(open(key, a, 'event-1').toString('utf8')).toBe(text.toString('utf8'));
  });

  it('refuses a tampered ciphertext, tag or IV', () => {
    const key = newKey();
    const s = seal(key, text, 'event-1');
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] ^= 1;
      return bytes.toString('base64');
    };
    expect(() => open(key, { ...s, data: flip(s.data) }, 'event-1')).toThrow(EnvelopeError);
    expect(() => open(key, { ...s, tag: flip(s.tag) }, 'event-1')).toThrow(EnvelopeError);
    expect(() => open(key, { ...s, iv: flip(s.iv) }, 'event-1')).toThrow(EnvelopeError);
  });

  it('refuses the wrong key and the wrong place (another event id in the aad)', () => {
    const s = seal(newKey(), text, 'event-1');
    expect(() => open(newKey(), s, 'event-1')).toThrow(EnvelopeError);
    const key = newKey();
    expect(() => open(key, seal(key, text, 'event-1'), 'event-2')).toThrow(EnvelopeError);
  });

  it('wraps a data key for one key id only', () => {
    const master = newKey();
    const dataKey = newKey();
    const wrapped = wrapKey(master, dataKey, 'lead-a');
    expect(unwrapKey(master, wrapped, 'lead-a').equals(dataKey)).toBe(true);
    expect(() => unwrapKey(master, wrapped, 'lead-b')).toThrow(EnvelopeError);
    expect(() => unwrapKey(newKey(), wrapped, 'lead-a')).toThrow(EnvelopeError);
  });
});

describe('master keys', () => {
  it('are 32 bytes of base64, named by a fingerprint that does not reveal them', () => {
    const key = newKey();
    expect(parseMasterKey(key.toString('base64')).equals(key)).toBe(true);
    expect(() => parseMasterKey('c2hvcnQ=')).toThrow(/32 bytes/);
    expect(() => parseMasterKey('not base64 at all!')).toThrow(/32 bytes/);
    expect(masterKeyId(key)).toMatch(/^mk-[0-9a-f]{16}$/);
    expect(masterKeyId(key)).not.toContain(key.toString('hex').slice(0, 16));
  });

  it('know the current key and the previous ones by id', () => {
    const [a, b] = [newKey(), newKey()];
    const keys = MasterKeys.of(b, [a]);
    expect(keys.current().id).toBe(masterKeyId(b));
    expect(keys.find(masterKeyId(a))?.key.equals(a)).toBe(true);
    expect(keys.find('mk-0000000000000000')).toBeUndefined();
  });
});
