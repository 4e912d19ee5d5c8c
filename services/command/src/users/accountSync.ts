import { userCreatedV1 } from '@leadline/contracts';
import type { EventStore } from '@leadline/eventstore';
import { announceAccountChange, endUserSessions, listAccountVersions, saveAccount, withTransaction, type Account, type Logger } from '@leadline/platform';
import type pg from 'pg';
import { loadCachedState } from '../aggregateCache.ts';
import { userStream } from '../reads.ts';
import { addFirstCredential } from './credentials.ts';
import { userAggregate } from './user.ts';

export type AccountDeps = { eventStore: EventStore; pool: pg.Pool };

/**
 * Brings `cmd.accounts` (what every session check reads) to the user's stream. Called after every
 * command on a user stream, before the command answers, so the change applies to the next request;
 * also at sign-in and at start (a process that died between an append and this write). Disabling
 * ends the user's sessions; a new role, team or disabled state tells live sockets to reconnect. Both
 * in the transaction of the write, so the notices go out only if it commits.
 */
export async function syncAccount(deps: AccountDeps, userId: string): Promise<Account | null> {
  const folded = await loadCachedState(deps.eventStore, userStream(userId), userAggregate);
  const user = folded.state;
  if (user.status !== 'active') return null;
  const account: Account = { userId, email: user.email, name: user.name, role: user.role, teamId: user.teamId, disabled: user.disabled, version: folded.version };
  await withTransaction(deps.pool, async (db) => {
    const { previous, written } = await saveAccount(db, account);
    if (!written) return;
    if (account.disabled && !previous?.disabled) await endUserSessions(db, userId, { reason: 'disabled' });
    const permissionsChanged = previous && (previous.role !== account.role || previous.teamId !== account.teamId || previous.disabled !== account.disabled);
    if (permissionsChanged) await announceAccountChange(db, userId);
  });
  return account;
}

const IMPORT_MARK = { component: 'command-data', id: '001-credentials-from-user-created-v1' };

/**
 * Once per database: UserCreated version 1 carried the password hash. Copies each such hash into
 * `cmd.credentials` (unless the user already has a password there) and creates the account rows of
 * users created before accounts existed. From then on nothing reads a hash from the log; the old
 * events still hold it (the store is never rewritten) until crypto-shredding removes it.
 */
export async function importUsersFromLog(deps: AccountDeps, log: Logger): Promise<void> {
  const done = await deps.pool.query('SELECT 1 FROM public.schema_migrations WHERE component = $1 AND id = $2', [IMPORT_MARK.component, IMPORT_MARK.id]);
  if (done.rowCount) return;
  let after = '';
  let users = 0;
  let hashes = 0;
  let stripped = 0;
  // Every user acknowledged before this start must be imported: the readable head of the PostgreSQL
  // store stays below a commit while a transaction elsewhere in the cluster is open, so read on until
  // the head has passed what was committed when the import began (it runs once per database).
  const target = await deps.eventStore.committedCheckpoint();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const page = await deps.eventStore.readAll({ after, types: ['UserCreated'], limit: 500 });
    if (page.length === 0) {
      if ((await deps.eventStore.headCheckpoint()) >= target) break;
      if (Date.now() > deadline) throw new Error('importing users: the event log did not become readable up to its last commit within 60 s');
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    for (const event of page) {
      const v1 = Number(event.metadata.schemaVersion ?? 1) === 1 ? userCreatedV1.safeParse(event.data) : null;
      if (v1?.success && v1.data.passwordHash !== '') {
        if (await addFirstCredential(deps.pool, v1.data.userId, v1.data.passwordHash, String(event.metadata.occurredAt ?? '') || undefined)) hashes++;
        // Once the hash is in cmd.credentials, the log need not keep it (PostgreSQL only: EventStoreDB cannot rewrite).
        if (deps.eventStore.rewriteData) stripped += await deps.eventStore.rewriteData([{ eventId: event.eventId, data: { ...v1.data, passwordHash: '' } }]);
      }
      const userId = (event.data as { userId?: string }).userId;
      if (userId && (await syncAccount(deps, userId))) users++;
    }
    after = page[page.length - 1].checkpoint;
  }
  await deps.pool.query('INSERT INTO public.schema_migrations (component, id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [IMPORT_MARK.component, IMPORT_MARK.id]);
  if (users || hashes) log.info({ users, hashes, stripped }, 'accounts and password hashes imported from the event log; hashes removed from the stored events');
}

/** At start: any account whose stream moved on without it (a crash between append and sync) is brought up to date. */
export async function reconcileAccounts(deps: AccountDeps): Promise<number> {
  const accounts = await listAccountVersions(deps.pool);
  let repaired = 0;
  for (let i = 0; i < accounts.length; i += 8) {
    await Promise.all(
      accounts.slice(i, i + 8).map(async ({ userId, version }) => {
        const tail = await deps.eventStore.readStream(userStream(userId), { fromVersion: version });
        if (tail.length === 0) return;
        await syncAccount(deps, userId);
        repaired++;
      }),
    );
  }
  return repaired;
}
