import crypto from 'node:crypto';
import { defaultLostReasons, defaultStages } from '@leadline/contracts';
import type { EventStore } from '@leadline/eventstore';
import { ConcurrencyError, ConflictError, type Logger, type Pool } from '@leadline/platform';
import { toNewEvents, type CommandMetadata, type EventPayload } from './events.ts';
import { DEFAULT_PIPELINE_ID, defaultStageId, deterministicId } from './ids.ts';
import { migrateCommandTables } from './migrations.ts';
import { pipelineStream } from './reads.ts';
import { importUsersFromLog, reconcileAccounts, syncAccount, type AccountDeps } from './users/accountSync.ts';
import { createUserAccount, normaliseEmail } from './users/accounts.ts';
import { addFirstCredential, hashPassword } from './users/credentials.ts';

export const DEFAULT_ADMIN_EMAIL = 'admin@leadline.local';

const SYSTEM_ACTOR = { userId: 'system:bootstrap', role: 'admin' } as const;

const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

export function generatePassword(length = 16): string {
  return Array.from({ length }, () => PASSWORD_ALPHABET[crypto.randomInt(PASSWORD_ALPHABET.length)]).join('');
}

/** Deterministic ids, one append with no_stream: concurrent or repeated calls create it once. */
async function ensureDefaultPipeline(store: EventStore, log: Logger, occurredAt: string): Promise<void> {
  const commandId = deterministicId('leadline:bootstrap:default-pipeline');
  const metadata: CommandMetadata = { commandId, correlationId: commandId, actor: SYSTEM_ACTOR, occurredAt };
  const events: EventPayload[] = [
    { type: 'PipelineCreated', data: { pipelineId: DEFAULT_PIPELINE_ID, name: 'Sales', isDefault: true } },
    ...defaultStages.map((stage, index): EventPayload => ({
      type: 'StageAdded',
      data: { pipelineId: DEFAULT_PIPELINE_ID, stageId: defaultStageId(index), ...stage, orderPosition: index, isActive: true },
    })),
    { type: 'LostReasonsSet', data: { pipelineId: DEFAULT_PIPELINE_ID, reasons: [...defaultLostReasons], allowFreeText: true } },
  ];
  try {
    const result = await store.append(pipelineStream(DEFAULT_PIPELINE_ID), toNewEvents(events, metadata), 'no_stream');
    if (result.written) log.info({ pipelineId: DEFAULT_PIPELINE_ID }, 'default pipeline created');
  } catch (err) {
    if (!(err instanceof ConcurrencyError)) throw err;
  }
}

/**
 * The first admin, keyed by email: the same email always maps to the same user id. The password is
 * stored only if the admin has none yet (a process that died between creating the admin and storing
 * its password gets one now).
 */
async function ensureAdmin(deps: AccountDeps, email: string, givenPassword: string | undefined, log: Logger, occurredAt: string): Promise<{ userId: string; email: string; password?: string; created: boolean }> {
  const userId = deterministicId(`leadline:admin:${email}`);
  const commandId = deterministicId(`leadline:bootstrap:admin:${email}`);
  const metadata: CommandMetadata = { commandId, correlationId: commandId, actor: SYSTEM_ACTOR, occurredAt };
  const password = givenPassword ?? generatePassword();
  try {
    const { user } = await createUserAccount(deps.eventStore, { userId, email, name: 'Administrator', role: 'admin' }, metadata);
    // Not stored: an earlier or concurrent bootstrap gave the admin its password, not this one.
    const created = await addFirstCredential(deps.pool, userId, await hashPassword(password));
    await syncAccount(deps, userId);
    if (user.appended > 0) log.info({ userId, email }, 'first admin created');
    return created && !givenPassword ? { userId, email, password, created } : { userId, email, created };
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    log.warn({ email }, 'admin email already belongs to another user; no admin created');
    return { userId, email, created: false };
  }
}

/**
 * Creates the default pipeline and the first admin if they do not exist yet, and brings the accounts
 * table up to date with the user streams (docs/commands.md, "Bootstrap"). Idempotent and
 * safe when several processes call it at once. Returns the generated password (to print once)
 * only when it created the admin with one. `historyStart` backdates what it creates (the demo, whose
 * history begins 90 days ago, needs its pipeline and admin to exist from that day); it changes nothing
 * that already exists.
 */
export async function bootstrap(deps: { eventStore: EventStore; pool: Pool; adminEmail?: string; adminPassword?: string; log: Logger; historyStart?: Date }): Promise<{
  defaultPipelineId: string;
  admin: { userId: string; email: string; password?: string; created: boolean };
}> {
  await migrateCommandTables(deps.pool);
  const occurredAt = (deps.historyStart ?? new Date()).toISOString();
  await ensureDefaultPipeline(deps.eventStore, deps.log, occurredAt);
  await importUsersFromLog(deps, deps.log);
  const repaired = await reconcileAccounts(deps);
  if (repaired) deps.log.warn({ accounts: repaired }, 'accounts behind their user streams were brought up to date');
  const admin = await ensureAdmin(deps, normaliseEmail(deps.adminEmail ?? DEFAULT_ADMIN_EMAIL), deps.adminPassword, deps.log, occurredAt);
  return { defaultPipelineId: DEFAULT_PIPELINE_ID, admin };
}
