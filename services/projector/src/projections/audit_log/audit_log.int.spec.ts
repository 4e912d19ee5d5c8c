import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit, startAuditChainer, type AuditChainer } from '@leadline/command';
import type { AuditRecordedData } from '@leadline/contracts';
import { startProjector, type Projector } from '../../engine/projector.ts';
import { caughtUp, projectorHarness, waitFor, type ProjectorHarness } from '../../test-support/harness.ts';
import { auditLogProjection } from './projection.ts';

const ann = { userId: '6f1c1c1e-9d1a-4c55-9a43-0d9f1a1b2c3d', role: 'auditor' as const, email: 'ann@example.com' };

describe('audit_log projection', () => {
  let h: ProjectorHarness;
  let projector: Projector;
  let chainer: AuditChainer;
  beforeAll(async () => {
    h = await projectorHarness({ projections: [auditLogProjection] });
    projector = await startProjector(h.deps);
    chainer = await startAuditChainer({ pool: h.db.pool, eventStore: h.store, logger: h.deps.logger });
  });
  afterAll(async () => {
    await chainer?.stop();
    await projector?.stop();
    await h?.dispose();
  });

  it('writes one row per audit record, with who, what, from where and the detail as stored', async () => {
    const correlationId = crypto.randomUUID();
    const exported = await recordAudit(h.db.pool, { actor: ann, ip: '10.0.0.7', userAgent: 'Firefox', correlationId, at: new Date('2026-12-02T09:00:00.123Z') }, { kind: 'export', subject: { type: 'dataset', id: 'audit' }, detail: { filters: { kind: ['login_failed'] }, note: null } });
    const failed = await recordAudit(h.db.pool, { actor: null, ip: '10.0.0.8', userAgent: null, at: new Date('2026-12-02T09:00:01Z') }, { kind: 'login_failed', subject: { type: 'email', id: 'who@example.com' } });
    const events = await waitFor(async () => {
      const stored = await h.store.readStream('audit-2026-12-02');
      return stored.length === 2 && stored;
    }, 'both records in the chain');
    await caughtUp(h.db, 'audit_log', events[1].checkpoint);

    const { rows } = await h.db.pool.query('SELECT * FROM read.audit_log ORDER BY at');
    const hash = (i: number) => (events[i].data as AuditRecordedData).hash;
    expect(rows).toEqual([
      {
        record_id: exported.recordId, event_id: events[0].eventId, at: new Date('2026-12-02T09:00:00.123Z'), kind: 'export', actor_id: ann.userId, actor_role: 'auditor', actor_email: 'ann@example.com',
        subject_type: 'dataset', subject_id: 'audit', ip: '10.0.0.7', user_agent: 'Firefox', detail: { filters: { kind: ['login_failed'] }, note: null },
        correlation_id: correlationId, stream_id: 'audit-2026-12-02', stream_version: 1, hash: hash(0),
      },
      {
        record_id: failed.recordId, event_id: events[1].eventId, at: new Date('2026-12-02T09:00:01Z'), kind: 'login_failed', actor_id: null, actor_role: null, actor_email: null,
        subject_type: 'email', subject_id: 'who@example.com', ip: '10.0.0.8', user_agent: null, detail: {},
        correlation_id: failed.recordId, stream_id: 'audit-2026-12-02', stream_version: 2, hash: hash(1),
      },
    ]);
  });

  it('lists a record chained twice (after a crash) once, where it was chained first', async () => {
    const [first] = await h.store.readStream('audit-2026-12-02');
    const again = { ...(first.data as AuditRecordedData), at: '2026-12-02T09:30:00.000Z' };
    const eventId = crypto.randomUUID();
    const cp = (await h.store.append('audit-2026-12-02', [{ eventId, type: 'AuditRecorded', data: again, metadata: { ...first.metadata, eventId } }], 2)).checkpoint;
    await caughtUp(h.db, 'audit_log', cp);
    const { rows } = await h.db.pool.query('SELECT event_id, at FROM read.audit_log WHERE record_id = $1', [again.recordId]);
    expect(rows).toEqual([{ event_id: first.eventId, at: new Date('2026-12-02T09:00:00.123Z') }]);
  });
});
