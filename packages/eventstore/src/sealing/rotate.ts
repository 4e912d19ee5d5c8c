import type pg from 'pg';
import { newKey } from './envelope.ts';
import { Keyring } from './keyring.ts';
import { MasterKeys, masterKeyId, parseMasterKey, readKeyFile, writeKeyFile } from './masterKeys.ts';

export type RotationReport = { current: string; rewrapped: number; usage: Record<string, number>; dropped: string[] };

const report = async (keyring: Keyring, rewrapped: number, dropped: string[] = []): Promise<RotationReport> => ({
  current: keyring.masterKeys.current().id,
  rewrapped,
  usage: Object.fromEntries(await keyring.usage()),
  dropped,
});

/**
 * Rotation with a key file: a fresh current key (the old ones stay as previous, so that every running
 * process can still unwrap while it picks up the new file), then every data key re-wrapped with it.
 */
export async function rotateKeyFile(pool: pg.Pool, file: string): Promise<RotationReport> {
  const before = readKeyFile(file);
  writeKeyFile(file, { current: newKey().toString('base64'), previous: [before.current, ...before.previous] });
  const keyring = await Keyring.create(pool, MasterKeys.fromFile(file));
  return report(keyring, await keyring.rewrap());
}

/**
 * The second step, once every process runs with the new file (they re-read it when it changes):
 * re-wraps what is left and drops the previous keys no data key is wrapped with any more.
 */
export async function pruneKeyFile(pool: pg.Pool, file: string): Promise<RotationReport> {
  const keyring = await Keyring.create(pool, MasterKeys.fromFile(file));
  const rewrapped = await keyring.rewrap();
  const usage = await keyring.usage();
  const content = readKeyFile(file);
  const keep = content.previous.filter((k) => (usage.get(masterKeyId(parseMasterKey(k))) ?? 0) > 0);
  const dropped = content.previous.filter((k) => !keep.includes(k)).map((k) => masterKeyId(parseMasterKey(k)));
  writeKeyFile(file, { current: content.current, previous: keep });
  return report(keyring, rewrapped, dropped);
}

/** Rotation with MASTER_KEY (the new key) and MASTER_KEY_PREVIOUS (the old ones): re-wraps everything with MASTER_KEY. */
export async function rewrapWith(pool: pg.Pool, masterKeys: MasterKeys): Promise<RotationReport> {
  const keyring = await Keyring.create(pool, masterKeys);
  return report(keyring, await keyring.rewrap());
}
