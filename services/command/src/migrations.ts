import { runMigrations, sessionMigrations, type Pool } from '@leadline/platform';
import { idempotencyMigrations } from './idempotency.ts';
import { credentialMigrations } from './users/credentials.ts';
import { loginThrottleMigrations } from './users/login-throttle.ts';

/** The command side's own tables (schema `cmd`): idempotency, credentials, sign-in throttling; and the shared accounts and sessions. */
export async function migrateCommandTables(pool: Pool): Promise<void> {
  await runMigrations(pool, 'sessions', sessionMigrations);
  await runMigrations(pool, 'command', [...idempotencyMigrations, ...credentialMigrations, ...loginThrottleMigrations]);
}
