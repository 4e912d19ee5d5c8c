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
  {
    // One round trip per append: the idempotency check, the stream lock, the version check and the
    // inserts run server-side in the statement's own transaction.
    id: '002-append-function',
    sql: `
      CREATE OR REPLACE FUNCTION es.append_events(p_stream text, p_expected integer, p_ids uuid[], p_types text[], p_data jsonb[], p_meta jsonb[])
      RETURNS TABLE (outcome text, version integer, xid text, pos text) LANGUAGE plpgsql AS $$
      DECLARE
        v_known integer;
        v_current integer;
        v_fresh integer;
      BEGIN
        SELECT count(*) INTO v_known FROM es.events WHERE event_id = ANY(p_ids);
        IF v_known = cardinality(p_ids) THEN
          RETURN QUERY SELECT 'duplicate'::text, e.stream_version, e.transaction_id::text, e.global_position::text
            FROM es.events e WHERE e.event_id = ANY(p_ids) ORDER BY e.stream_version DESC LIMIT 1;
          RETURN;
        END IF;
        INSERT INTO es.streams AS s (stream_id, version) VALUES (p_stream, 0) ON CONFLICT DO NOTHING;
        SELECT s.version INTO v_current FROM es.streams s WHERE s.stream_id = p_stream FOR UPDATE;
        -- p_expected: -1 any, 0 no stream, n exact
        IF p_expected >= 0 AND v_current <> p_expected THEN
          RETURN QUERY SELECT 'conflict'::text, v_current, NULL::text, NULL::text;
          RETURN;
        END IF;
        RETURN QUERY
        WITH fresh AS (
          SELECT u.id, u.type, u.data, u.meta, row_number() OVER (ORDER BY u.n) AS k
          FROM unnest(p_ids, p_types, p_data, p_meta) WITH ORDINALITY AS u(id, type, data, meta, n)
          WHERE NOT EXISTS (SELECT 1 FROM es.events e WHERE e.event_id = u.id)
        ), ins AS (
          INSERT INTO es.events (event_id, stream_id, stream_version, type, data, metadata)
          SELECT f.id, p_stream, v_current + f.k, f.type, f.data, f.meta FROM fresh f ORDER BY f.k
          RETURNING stream_version, transaction_id, global_position
        ), upd AS (
          UPDATE es.streams s SET version = v_current + (SELECT count(*) FROM fresh) WHERE s.stream_id = p_stream RETURNING s.version
        )
        SELECT 'ok'::text, (SELECT u.version FROM upd u), i.transaction_id::text, i.global_position::text
        FROM ins i ORDER BY i.global_position DESC LIMIT 1;
      END $$;
    `,
  },
  {
    // A NOTIFY inside the appending transaction takes PostgreSQL's global notify lock at commit,
    // which serialised concurrent appends. The adapter sends the wake-up after the commit instead,
    // coalesced per process (see Wakeups in postgres.ts); other writers call notifyAppended.
    id: '003-wakeup-outside-append',
    sql: `
      DROP TRIGGER IF EXISTS events_appended ON es.events;
      DROP FUNCTION IF EXISTS es.notify_appended();
    `,
  },
];
