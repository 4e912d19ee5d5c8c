import { defineProjection } from '../../engine/types.ts';

const COLUMNS = ['event_id', 'at', 'kind', 'actor_id', 'actor_role', 'actor_email', 'subject_type', 'subject_id', 'ip', 'user_agent', 'detail', 'correlation_id', 'stream_id', 'stream_version', 'hash'];
const RECORD = `event_id uuid, at timestamptz, kind text, actor_id uuid, actor_role text, actor_email text, subject_type text, subject_id text, ip text,
  user_agent text, detail text, correlation_id uuid, stream_id text, stream_version integer, hash text`;

/**
 * `read.audit_log`: one row per audit event, for the Audit page's filters and the CSV export. The
 * chain itself is checked against the event store (npm run audit:verify), never against this table.
 */
export const auditLogProjection = defineProjection({
  name: 'audit_log',
  version: 1,
  eventTypes: ['AuditRecorded'],
  tables: [
    {
      name: 'audit_log',
      ddl: (t) => `CREATE TABLE ${t} (
        event_id uuid PRIMARY KEY,
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
        `CREATE INDEX ON ${t} (at DESC, event_id DESC)`,
        `CREATE INDEX ON ${t} (kind, at DESC, event_id DESC)`,
        `CREATE INDEX ON ${t} (actor_id, at DESC, event_id DESC)`,
        `CREATE INDEX ON ${t} (subject_id, at DESC, event_id DESC)`,
      ],
    },
  ],
  async handleBatch(ctx, events) {
    const rows = events.map((e) => ({
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
       ON CONFLICT (event_id) DO NOTHING`,
      [JSON.stringify(rows)],
    );
    for (const e of events) ctx.changed('audit_log', e.eventId);
  },
});
