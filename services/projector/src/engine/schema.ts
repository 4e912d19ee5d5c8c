import type { Migration } from '@leadline/platform';

/**
 * `projector.projections` is the state the query side reads (checkpoint, status).
 * `projector.rebuilds` holds a rebuild in progress: the generation being built and its own
 * checkpoint, committed with that generation's rows so that a rebuild survives a crash.
 */
export const projectorMigrations: Migration[] = [
  {
    id: '001-projections',
    sql: `
      CREATE SCHEMA IF NOT EXISTS projector;
      CREATE SCHEMA IF NOT EXISTS read;
      CREATE TABLE projector.projections (
        name text PRIMARY KEY,
        version integer NOT NULL,
        generation integer NOT NULL,
        checkpoint text NOT NULL DEFAULT '',
        status text NOT NULL CHECK (status IN ('running', 'rebuilding', 'failed', 'standby')),
        error text,
        failed_event_id uuid,
        heartbeat_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE projector.rebuilds (
        name text PRIMARY KEY REFERENCES projector.projections (name),
        version integer NOT NULL,
        generation integer NOT NULL,
        checkpoint text NOT NULL DEFAULT '',
        processed bigint NOT NULL DEFAULT 0,
        requested_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    // The size of the log when a rebuild started (an estimate for its progress and ETA; null when the store cannot say).
    id: '002-rebuild-total',
    sql: `ALTER TABLE projector.rebuilds ADD COLUMN IF NOT EXISTS total bigint`,
  },
];
