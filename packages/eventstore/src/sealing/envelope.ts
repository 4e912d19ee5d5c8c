import crypto from 'node:crypto';

/** AES-256-GCM: a 32-byte key, a fresh 12-byte IV per message, a 16-byte tag; `aad` binds the message to where it belongs. */
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The message was changed, or it is opened with the wrong key or in the wrong place (aad). */
export class EnvelopeError extends Error {
  readonly name = 'EnvelopeError';
}

export type Sealed = { iv: string; tag: string; data: string };

export const newKey = (): Buffer => crypto.randomBytes(KEY_BYTES);

export function seal(key: Buffer, plaintext: Buffer, aad: string): Sealed {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

export function open(key: Buffer, sealed: Sealed, aad: string): Buffer {
  const iv = Buffer.from(sealed.iv, 'base64');
  const tag = Buffer.from(sealed.tag, 'base64');
  if (key.length !== KEY_BYTES || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new EnvelopeError('malformed envelope or key');
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
  } catch {
    throw new EnvelopeError('the envelope does not open: tampered, or the wrong key');
  }
}

/** A data key wrapped by a master key, as one value: iv (12) | tag (16) | wrapped key (32). */
export function wrapKey(masterKey: Buffer, dataKey: Buffer, keyId: string): Buffer {
  const s = seal(masterKey, dataKey, `leadline:data-key:${keyId}`);
  return Buffer.concat([Buffer.from(s.iv, 'base64'), Buffer.from(s.tag, 'base64'), Buffer.from(s.data, 'base64')]);
}

export function unwrapKey(masterKey: Buffer, wrapped: Buffer, keyId: string): Buffer {
  if (wrapped.length !== IV_BYTES + TAG_BYTES + KEY_BYTES) throw new EnvelopeError(`wrapped key ${keyId} is malformed`);
  const part = (from: number, to?: number) => wrapped.subarray(from, to).toString('base64');
  return open(masterKey, { iv: part(0, IV_BYTES), tag: part(IV_BYTES, IV_BYTES + TAG_BYTES), data: part(IV_BYTES + TAG_BYTES) }, `leadline:data-key:${keyId}`);
}
