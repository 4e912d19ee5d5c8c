import type { Migration } from '@leadline/platform';

/**
 * Events carry the xid8 of the transaction that wrote them. Readers only read rows whose
 * transaction_id is below the oldest running transaction (pg_snapshot_xmin), ordered by
 * (transaction_id, global_position): a transaction that took a lower position but commits
 * later is never skipped.
 */
export const eventStoreMigrations: Migration[] = [
  {
    id: '001-events',
    sql: `
      CREATE SCHEMA IF NOT EXISTS es;
      CREATE TABLE es.streams (
        stream_id text PRIMARY KEY,
        version integer NOT NULL
      );
      CREATE TABLE es.events (
        global_position bigserial NOT NULL,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id uuid NOT NULL UNIQUE,
        stream_id text NOT NULL,
        stream_version integer NOT NULL,
        type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (transaction_id, global_position),
        UNIQUE (stream_id, stream_version)
      );
      CREATE OR REPLACE FUNCTION es.notify_appended() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('leadline_events', ''); RETURN NULL; END $$;
      CREATE TRIGGER events_appended AFTER INSERT ON es.events FOR EACH STATEMENT EXECUTE FUNCTION es.notify_appended();
    `,
  },
];
