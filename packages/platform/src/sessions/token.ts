import crypto from 'node:crypto';

const b64 = (buf: Buffer): string => buf.toString('base64url');
const mac = (secret: string, id: string): string => b64(crypto.createHmac('sha256', secret).update(`leadline-session:${id}`).digest());

/**
 * A session token is `<256 random bits>.<HMAC-SHA256 of them under SESSION_SECRET>`. The database
 * keeps only the SHA-256 of the random part: a copy of `cmd.sessions` signs nobody in, and a token
 * whose MAC fails (garbage, or minted under another secret) is refused without a query.
 */
export function mintSessionToken(secret: string): { token: string; hash: Buffer } {
  const id = b64(crypto.randomBytes(32));
  return { token: `${id}.${mac(secret, id)}`, hash: crypto.createHash('sha256').update(id).digest() };
}

/** The stored hash of a well-formed token with a valid MAC, else null. */
export function sessionTokenHash(token: string, secret: string): Buffer | null {
  const [id, sig, extra] = token.split('.');
  if (!id || !sig || extra !== undefined || id.length !== 43) return null;
  const a = Buffer.from(sig);
  const b = Buffer.from(mac(secret, id));
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) return null;
  return crypto.createHash('sha256').update(id).digest();
}
