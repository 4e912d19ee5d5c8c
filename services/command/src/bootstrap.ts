import crypto from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { defaultLostReasons, defaultStages } from '@leadline/contracts';
import type { EventStore } from '@leadline/eventstore';
import { ConcurrencyError, ConflictError, type Logger } from '@leadline/platform';
import { toNewEvents, type CommandMetadata, type EventPayload } from './events.ts';
import { DEFAULT_PIPELINE_ID, defaultStageId, deterministicId } from './ids.ts';
import { pipelineStream } from './reads.ts';
import { createUserAccount, normaliseEmail } from './users/accounts.ts';

export const DEFAULT_ADMIN_EMAIL = 'admin@leadline.local';

const SYSTEM_ACTOR = { userId: 'system:bootstrap', role: 'admin' } as const;

const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

export function generatePassword(length = 16): string {
  return Array.from({ length }, () => PASSWORD_ALPHABET[crypto.randomInt(PASSWORD_ALPHABET.length)]).join('');
}

/** Deterministic ids, one append with no_stream: concurrent or repeated calls create it once. */
async function ensureDefaultPipeline(store: EventStore, log: Logger): Promise<void> {
  const commandId = deterministicId('leadline:bootstrap:default-pipeline');
  const metadata: CommandMetadata = { commandId, correlationId: commandId, actor: SYSTEM_ACTOR, occurredAt: new Date().toISOString() };
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

/** The first admin, keyed by email: the same email always maps to the same user id. */
async function ensureAdmin(store: EventStore, email: string, givenPassword: string | undefined, log: Logger): Promise<{ userId: string; email: string; password?: string; created: boolean }> {
  const userId = deterministicId(`leadline:admin:${email}`);
  const commandId = deterministicId(`leadline:bootstrap:admin:${email}`);
  const metadata: CommandMetadata = { commandId, correlationId: commandId, actor: SYSTEM_ACTOR, occurredAt: new Date().toISOString() };
  const password = givenPassword ?? generatePassword();
  try {
    const { user } = await createUserAccount(store, { userId, email, name: 'Administrator', role: 'admin', passwordHash: await hash(password) }, metadata);
    // appended = 0: an earlier or concurrent bootstrap created it, so this password was not stored.
    const created = user.appended > 0;
    if (created) log.info({ userId, email }, 'first admin created');
    return created && !givenPassword ? { userId, email, password, created } : { userId, email, created };
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    log.warn({ email }, 'admin email already belongs to another user; no admin created');
    return { userId, email, created: false };
  }
}

/**
 * Creates the default pipeline and the first admin if they do not exist yet. Idempotent and
 * safe when several processes call it at once. Returns the generated password (to print once)
 * only when it created the admin with one.
 */
export async function bootstrap(deps: { eventStore: EventStore; adminEmail?: string; adminPassword?: string; log: Logger }): Promise<{
  defaultPipelineId: string;
  admin: { userId: string; email: string; password?: string; created: boolean };
}> {
  await ensureDefaultPipeline(deps.eventStore, deps.log);
  const admin = await ensureAdmin(deps.eventStore, normaliseEmail(deps.adminEmail ?? DEFAULT_ADMIN_EMAIL), deps.adminPassword, deps.log);
  return { defaultPipelineId: DEFAULT_PIPELINE_ID, admin };
}
