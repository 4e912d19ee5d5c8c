import { defineProjection } from '../../engine/types.ts';

const COLUMNS = ['record_id', 'event_id', 'at', 'kind', 'actor_id', 'actor_role', 'actor_email', 'subject_type', 'subject_id', 'ip', 'user_agent', 'detail', 'correlation_id', 'stream_id', 'stream_version', 'hash'];
const RECORD = `record_id uuid, event_id uuid, at timestamptz, kind text, actor_id uuid, actor_role text, actor_email text, subject_type text, subject_id text, ip text,
  user_agent text, detail text, correlation_id uuid, stream_id text, stream_version integer, hash text`;

/**
 * `read.audit_log`: one row per audit record, for the Audit page's filters and the CSV export (a
 * record a crash had chained twice is listed once, where it was chained first). The chain itself is
 * checked against the event store (npm run audit:verify), never against this table.
 */
export const auditLogProjection = defineProjection({
  name: 'audit_log',
  // 2: keyed by the record (a record chained twice after a crash is one row)
  version: 2,
  eventTypes: ['AuditRecorded'],
  tables: [
    {
      name: 'audit_log',
      ddl: (t) => `CREATE TABLE ${t} (
        record_id uuid PRIMARY KEY,
        event_id uuid NOT NULL,
        at timestamptz NOT NULL,
        kind text NOT NULL,
        actor_id uuid,
        actor_role text,
        actor_email text,
        subject_type text,
        subject_id text,
        ip text,
        user_agent text,
        detail jsonb NOT NULL,
        correlation_id uuid NOT NULL,
        stream_id text NOT NULL,
        stream_version integer NOT NULL,
        hash text NOT NULL
      )`,
      indexes: (t) => [
        `CREATE INDEX ON ${t} (at DESC, record_id DESC)`,
        `CREATE INDEX ON ${t} (kind, at DESC, record_id DESC)`,
        `CREATE INDEX ON ${t} (actor_id, at DESC, record_id DESC)`,
        `CREATE INDEX ON ${t} (subject_id, at DESC, record_id DESC)`,
      ],
    },
  ],
  async handleBatch(ctx, events) {
    const rows = events.map((e) => ({
      record_id: e.data.recordId,
      event_id: e.eventId,
      at: e.data.at,
      kind: e.data.kind,
      actor_id: e.data.actor?.userId ?? null,
      actor_role: e.data.actor?.role ?? null,
      actor_email: e.data.actor?.email ?? null,
      subject_type: e.data.subject?.type ?? null,
      subject_id: e.data.subject?.id ?? null,
      ip: e.data.ip,
      user_agent: e.data.userAgent,
      detail: JSON.stringify(e.data.detail),
      correlation_id: e.metadata.correlationId,
      stream_id: e.streamId,
      stream_version: e.streamVersion,
      hash: e.data.hash,
    }));
    await ctx.db.query(
      `INSERT INTO ${ctx.table('audit_log')} (${COLUMNS.join(', ')})
       SELECT ${COLUMNS.map((c) => (c === 'detail' ? 'detail::jsonb' : c)).join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${RECORD})
       ON CONFLICT (record_id) DO NOTHING`,
      [JSON.stringify(rows)],
    );
    for (const e of events) ctx.changed('audit_log', e.data.recordId);
  },
});
