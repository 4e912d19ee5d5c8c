import path from 'node:path';
import { CliError, connectCliDatabase, createPool, parseConfig } from '@leadline/platform';
import { z } from 'zod';
import { defaultKeyFile, masterKeyEnv, masterKeysForCli, masterKeysFrom } from './config.ts';
import { pruneKeyFile, rewrapWith, rotateKeyFile, type RotationReport } from './rotate.ts';

const USAGE = `usage:
  npm run keys:rotate              a new master key in the key file (the old one kept as previous), every data key re-wrapped with it
  npm run keys:rotate -- --prune   once every process runs with the new file: re-wrap what is left, drop previous keys no data key uses
With MASTER_KEY set (and the old keys in MASTER_KEY_PREVIOUS) it re-wraps every data key with MASTER_KEY.
key file: MASTER_KEY_FILE, else DATA_DIR/master-key.json (DATA_DIR default ./.data)
database: DATABASE_URL, or the embedded PostgreSQL under DATA_DIR when it is not running`;

function print(r: RotationReport): void {
  console.log(`current master key: ${r.current}; data keys re-wrapped: ${r.rewrapped}`);
  for (const [id, n] of Object.entries(r.usage)) console.log(`  ${id}: wraps ${n} data key(s)`);
  for (const id of r.dropped) console.log(`  dropped ${id} (no data key uses it)`);
}

async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((a) => a !== '--prune');
  if (unknown.length) {
    console.error(USAGE);
    return 2;
  }
  const env = parseConfig(z.object(masterKeyEnv));
  const { url, embedded } = await connectCliDatabase('keys:rotate');
  const pool = createPool(url, { max: 3, applicationName: 'leadline-keys-rotate' });
  try {
    if (env.MASTER_KEY) {
      if (argv.includes('--prune')) throw new CliError('--prune is for a key file; with MASTER_KEY, remove MASTER_KEY_PREVIOUS once no data key uses it');
      print(await rewrapWith(pool, masterKeysFrom(env)));
      return 0;
    }
    const file = env.MASTER_KEY_FILE ?? defaultKeyFile(path.resolve(process.env.DATA_DIR ?? './.data'));
    masterKeysForCli();
    print(argv.includes('--prune') ? await pruneKeyFile(pool, file) : await rotateKeyFile(pool, file));
    return 0;
  } finally {
    await pool.end();
    await embedded?.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof CliError ? err.message : ((err as Error)?.message ?? err));
    process.exit(1);
  },
);
