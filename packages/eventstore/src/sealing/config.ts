import path from 'node:path';
import { z } from 'zod';
import { ConfigError, optionalEnv, parseConfig } from '@leadline/platform';
import { MasterKeys, parseMasterKey } from './masterKeys.ts';

const base64Key = z.string().refine((v) => {
  try {
    parseMasterKey(v);
    return true;
  } catch {
    return false;
  }
}, '32 bytes in base64 (openssl rand -base64 32)');

/**
 * The master key variables, shared by every service's config schema: `MASTER_KEY` (and, during a
 * rotation, `MASTER_KEY_PREVIOUS`, comma-separated), or `MASTER_KEY_FILE`, a key file that
 * `npm run keys:rotate` can rotate in place. `npm start` defaults to a key file under DATA_DIR.
 */
export const masterKeyEnv = {
  MASTER_KEY: optionalEnv(base64Key),
  MASTER_KEY_PREVIOUS: optionalEnv(z.string().refine((v) => v.split(',').every((k) => base64Key.safeParse(k.trim()).success), 'comma-separated keys, each 32 bytes in base64')),
  MASTER_KEY_FILE: optionalEnv(z.string().min(1)),
};

export type MasterKeyEnv = { MASTER_KEY?: string; MASTER_KEY_PREVIOUS?: string; MASTER_KEY_FILE?: string };

/** Refinement for a service run alone: it needs MASTER_KEY or MASTER_KEY_FILE (the same key as every other service). */
export function requireMasterKey(env: MasterKeyEnv, ctx: z.RefinementCtx): void {
  if (!env.MASTER_KEY && !env.MASTER_KEY_FILE) ctx.addIssue({ code: 'custom', path: ['MASTER_KEY'], message: 'required (32 bytes in base64: openssl rand -base64 32), or MASTER_KEY_FILE naming a key file' });
  if (env.MASTER_KEY_PREVIOUS && !env.MASTER_KEY) ctx.addIssue({ code: 'custom', path: ['MASTER_KEY_PREVIOUS'], message: 'only with MASTER_KEY (a key file lists its previous keys itself)' });
}

/** The key file `npm start` keeps beside the session secret. */
export const defaultKeyFile = (dataDir: string): string => path.join(dataDir, 'master-key.json');

/**
 * The master keys: MASTER_KEY (+ MASTER_KEY_PREVIOUS), else MASTER_KEY_FILE, else `fallbackFile`
 * (created with a fresh key when `create` is set, as `npm start` does). A service run alone has no
 * fallback: it must be given one.
 */
export function masterKeysFrom(env: MasterKeyEnv, fallback?: { file: string; create: boolean }): MasterKeys {
  if (env.MASTER_KEY) return MasterKeys.of(parseMasterKey(env.MASTER_KEY), (env.MASTER_KEY_PREVIOUS ?? '').split(',').filter((k) => k.trim()).map(parseMasterKey));
  const file = env.MASTER_KEY_FILE ?? fallback?.file;
  if (!file) throw new ConfigError('Invalid configuration:\n  MASTER_KEY: required (32 bytes in base64: openssl rand -base64 32), or MASTER_KEY_FILE naming a key file');
  try {
    return fallback?.create && !env.MASTER_KEY_FILE ? MasterKeys.ensureFile(file) : MasterKeys.fromFile(file);
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  MASTER_KEY_FILE: ${file}: ${(err as Error).message}`);
  }
}

/** The master keys of a command-line tool: as the services take them, else the key file `npm start` keeps under DATA_DIR. */
export const masterKeysForCli = (): MasterKeys => masterKeysFrom(parseConfig(z.object(masterKeyEnv)), { file: defaultKeyFile(path.resolve(process.env.DATA_DIR ?? './.data')), create: false });
