import type { Migration } from '../migrate.ts';

/**
 * The command side's account and session tables. The command service writes them; both services
 * read them on every authenticated request. Both run these migrations at start (component
 * `sessions`, applied once under the migration lock), so either may start first.
 */
export const sessionMigrations: Migration[] = [
  {
    id: '001-accounts-sessions',
    sql: `CREATE SCHEMA IF NOT EXISTS cmd;
      CREATE TABLE IF NOT EXISTS cmd.accounts (
        user_id uuid PRIMARY KEY,
        email text NOT NULL,
        name text NOT NULL,
        role text NOT NULL,
        team_id uuid,
        disabled boolean NOT NULL DEFAULT false,
        version int NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now());
      CREATE INDEX IF NOT EXISTS accounts_enabled_admins ON cmd.accounts (user_id) WHERE role = 'admin' AND NOT disabled;
      CREATE TABLE IF NOT EXISTS cmd.sessions (
        id uuid PRIMARY KEY,
        token_hash bytea NOT NULL UNIQUE,
        user_id uuid NOT NULL REFERENCES cmd.accounts (user_id),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        user_agent text NOT NULL DEFAULT '',
        ip text NOT NULL DEFAULT '',
        revoked_at timestamptz,
        revoked_reason text);
      CREATE INDEX IF NOT EXISTS sessions_live_by_user ON cmd.sessions (user_id) WHERE revoked_at IS NULL;
      CREATE INDEX IF NOT EXISTS sessions_expires_at ON cmd.sessions (expires_at);`,
  },
];
