import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkAppend, planDataset } from '@leadline/datagen';
import { MasterKeys, openEventStore } from '@leadline/eventstore';
import { createLogger, freePort } from '@leadline/platform';
import { verify } from '@leadline/projector';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import { repoRoot } from '../../scripts/stack.ts';
import { headCheckpoint, report, scale, sleep, waitForProjections } from './support.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const stages = ['New', 'Qualified', 'Contacted', 'Proposal', 'Won', 'Lost'].map((name, i) => ({ id: `00000000-0000-4000-8000-00000000000${i}`, name, isWon: name === 'Won', isLost: name === 'Lost' }));

/** The projector as a process of its own, with the master key every part of this test shares. */
async function startProjector(url: string, masterKey: Buffer) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'services/projector/src/server.ts')], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: url, METRICS_PORT: String(await freePort()), LOG_LEVEL: 'silent', MASTER_KEY: masterKey.toString('base64') },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // A projector that stops by itself (a bad configuration, a crash) fails the test at once: only our kills count.
  const died = exited.then(() => {
    throw new Error(`the projector exited by itself (code ${child.exitCode}): ${stderr.trim()}`);
  });
  died.catch(() => {});
  return {
    died,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) await died;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

describe('reliability: crash safety', () => {
  it('SIGKILLing the projector at random moments during a load leaves read models equal to a rebuild', async () => {
    const masterKey = crypto.randomBytes(32);
    const eventStore = await openEventStore({ kind: 'postgres' }, { pool: db.pool, databaseUrl: db.url, log: createLogger('crash', 'silent'), masterKeys: MasterKeys.of(masterKey) });
    const crashes = scale(3, 50);
    const leads = scale(600, 5_000);
    const plan = planDataset({ leads, seed: 99, stages, ownerIds: [], start: Date.UTC(2025, 0, 1), end: Date.UTC(2025, 11, 1) });
    // The load: batches of 50 events with a short pause, so the projector always has work in flight.
    let loading = true;
    const load = bulkAppend(db.pool, eventStore.keyring, plan, { pipelineId: '00000000-0000-4000-8000-0000000000ff', stages, actorId: '00000000-0000-4000-8000-0000000000aa' }, { batchSize: 50, onProgress: () => sleep(scale(250, 30)) })
      .then((r) => r)
      .finally(() => (loading = false));
    const deps = { pool: db.pool, eventStore, logger: createLogger('verify', 'silent') };
    let differences = 0;
    let killedWhileLoading = 0;
    let verifies = 0;
    for (let i = 0; i < crashes; i++) {
      const child = await startProjector(db.url, masterKey);
      await Promise.race([sleep(1200 + Math.random() * 1500), child.died]);
      if (loading) killedWhileLoading++;
      await child.kill();
      // After the restart of the next round's projector, the live tables must equal a rebuild at their checkpoint.
      const diffs = await verify(deps);
      verifies++;
      differences += diffs.length;
    }
    const loaded = await load;
    const last = await startProjector(db.url, masterKey);
    try {
      await Promise.race([waitForProjections(db.pool, await headCheckpoint(db.pool), 120_000), last.died]);
    } finally {
      await last.kill().catch(() => {});
    }
    const final = await verify(deps);
    differences += final.length;
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM read.leads`);
    report('crash safety', { crashes, killedDuringLoad: killedWhileLoading, eventsLoaded: loaded.events, verifies: verifies + 1, differences, leadsProjected: rows[0].n });
    expect(differences).toBe(0);
    expect(rows[0].n).toBe(leads);
  }, scale(120_000, 1_800_000));
});
