import { eventStoreChoice, eventStoreEnv, masterKeysForCli, openEventStore, requireEventStoreUrl } from '@leadline/eventstore';
import { CliError, connectCliDatabase, createLogger, createPool, parseConfig } from '@leadline/platform';
import { z } from 'zod';
import { verifyAuditTrail } from './verify.ts';

/**
 * `npm run audit:verify`: recomputes the audit chain from the event store. Exit 0 and `OK` when every
 * link holds, 1 and the first broken link (stream, version, expected and found) when one does not.
 * DATABASE_URL, or the embedded PostgreSQL under DATA_DIR; EVENT_STORE/EVENTSTORE_URL as the services take them.
 */
async function main(): Promise<number> {
  const { url, embedded } = await connectCliDatabase('audit:verify');
  const pool = createPool(url, { max: 3, applicationName: 'leadline-audit-verify' });
  const logger = createLogger('audit-verify', process.env.LOG_LEVEL ?? 'warn');
  try {
    const choice = eventStoreChoice(parseConfig(z.object(eventStoreEnv).superRefine(requireEventStoreUrl)));
    const store = await openEventStore(choice, { pool, databaseUrl: url, log: logger, masterKeys: masterKeysForCli() });
    const started = Date.now();
    let shown = 0;
    const result = await verifyAuditTrail(store, {
      onProgress: (p) => {
        if (Date.now() - shown < 1000) return;
        shown = Date.now();
        console.log(`checked ${p.events.toLocaleString('en-US')} audit events in ${p.streams} stream(s)`);
      },
    });
    await store.close();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (result.broken) {
      const b = result.broken;
      console.log(`BROKEN: ${b.streamId} version ${b.version}: ${b.problem}`);
      console.log(`  expected ${b.expected}`);
      console.log(`  found    ${b.found}`);
      console.log(`(${result.events.toLocaleString('en-US')} audit events before it are intact; ${seconds} s)`);
      return 1;
    }
    console.log(`OK: ${result.events.toLocaleString('en-US')} audit events in ${result.streams} stream(s), every hash and link intact (${seconds} s)`);
    return 0;
  } finally {
    await pool.end();
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof CliError ? err.message : ((err as Error)?.message ?? err));
    process.exit(2); // could not verify (1 means verified and broken)
  },
);
