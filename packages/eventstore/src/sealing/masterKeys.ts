import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { KEY_BYTES, newKey } from './envelope.ts';

/** A master key and its id: a fingerprint of the key, so that the id alone never reveals it and needs no registry. */
export type MasterKey = { id: string; key: Buffer };

export const masterKeyId = (key: Buffer): string => `mk-${crypto.createHash('sha256').update('leadline master key\0').update(key).digest('hex').slice(0, 16)}`;

const masterKey = (key: Buffer): MasterKey => ({ id: masterKeyId(key), key });

/** A base64 string of exactly 32 bytes; throws a readable message otherwise. */
export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || key.length !== KEY_BYTES) throw new Error(`a master key must be ${KEY_BYTES} bytes in base64 (openssl rand -base64 32)`);
  return key;
}

/** The key file: the key new data keys are wrapped with, and older ones still needed to unwrap until rotation re-wrapped them. */
export type KeyFile = { current: string; previous: string[] };

export function readKeyFile(file: string): KeyFile {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<KeyFile>;
  if (typeof parsed.current !== 'string' || !Array.isArray(parsed.previous)) throw new Error(`${file}: expected {"current": "<base64>", "previous": [...]}`);
  return { current: parsed.current, previous: parsed.previous.map(String) };
}

/** Written whole to a temporary file and renamed over the old one, mode 0600: a crash leaves the old file or the new one. */
export function writeKeyFile(file: string, content: KeyFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/**
 * The master keys a process knows. From the environment (MASTER_KEY, MASTER_KEY_PREVIOUS) they are
 * fixed; from a key file they are re-read when the file changes, so that a rotation reaches a running
 * process: before wrapping a new data key (the current key) and when a wrapped key names an unknown id.
 */
export class MasterKeys {
  private keys: { current: MasterKey; all: Map<string, MasterKey> };
  private mtimeMs = 0;

  private constructor(
    current: Buffer,
    previous: Buffer[],
    private readonly file?: string,
  ) {
    this.keys = MasterKeys.index(current, previous);
    if (file) this.mtimeMs = fs.statSync(file).mtimeMs;
  }

  static of(current: Buffer, previous: Buffer[] = []): MasterKeys {
    return new MasterKeys(current, previous);
  }

  static fromFile(file: string): MasterKeys {
    const content = readKeyFile(file);
    return new MasterKeys(parseMasterKey(content.current), content.previous.map(parseMasterKey), file);
  }

  /** The key file, created with a fresh key (0600) when it does not exist: what `npm start` does under DATA_DIR. */
  static ensureFile(file: string): MasterKeys {
    if (!fs.existsSync(file)) writeKeyFile(file, { current: newKey().toString('base64'), previous: [] });
    return MasterKeys.fromFile(file);
  }

  private static index(current: Buffer, previous: Buffer[]) {
    const all = new Map([current, ...previous].map((k) => [masterKeyId(k), masterKey(k)]));
    return { current: masterKey(current), all };
  }

  get source(): string {
    return this.file ?? 'MASTER_KEY';
  }

  current(): MasterKey {
    this.reloadIfChanged();
    return this.keys.current;
  }

  find(id: string): MasterKey | undefined {
    if (!this.keys.all.has(id)) this.reloadIfChanged();
    return this.keys.all.get(id);
  }

  ids(): string[] {
    return [...this.keys.all.keys()];
  }

  private reloadIfChanged(): void {
    if (!this.file) return;
    const mtimeMs = fs.statSync(this.file, { throwIfNoEntry: false })?.mtimeMs;
    if (mtimeMs === undefined || mtimeMs === this.mtimeMs) return;
    const content = readKeyFile(this.file);
    this.keys = MasterKeys.index(parseMasterKey(content.current), content.previous.map(parseMasterKey));
    this.mtimeMs = mtimeMs;
  }
}
