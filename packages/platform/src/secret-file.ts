import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A secret kept in a file readable by its owner alone (0600): read when it exists, else
 * generated (32 random bytes, base64url, safe in a URL) and written once. Used for the files
 * under DATA_DIR (`session-secret`, `pg-password`).
 */
export function readOrCreateSecret(file: string): string {
  if (fs.existsSync(file)) {
    fs.chmodSync(file, 0o600);
    const secret = fs.readFileSync(file, 'utf8').trim();
    if (secret) return secret;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const secret = crypto.randomBytes(32).toString('base64url');
  const pending = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(pending, secret, { mode: 0o600 });
  fs.renameSync(pending, file);
  return secret;
}
