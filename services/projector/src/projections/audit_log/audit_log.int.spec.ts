import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '@leadline/command';
import { startProjector, type Projector } from '../../engine/projector.ts';
import { caughtUp, projectorHarness, type ProjectorHarness } from '../../test-support/harness.ts';
import { auditLogProjection } from './projection.ts';

const ann = { userId: '6f1c1c1e-9d1a-4c55-9a43-0d9f1a1b2c3d', role: 'auditor' as const, email: 'ann@example.com' };

describe('audit_log projection', () => {
  let h: ProjectorHarness;
  let projector: Projector;
  beforeAll(async () => {
    h = await projectorHarness({ projections: [auditLogProjection] });
    projector = await startProjector(h.deps);
  });
  afterAll(async () => {
    await projector?.stop();
    await h?.dispose();
  });

  it('writes one row per audit event, with who, what, from where and the detail as stored', async () => {
    const correlationId = crypto.randomUUID();
    const exported = await recordAudit(h.store, { actor: ann, ip: '10.0.0.7', userAgent: 'Firefox', correlationId, at: new Date('2026-12-02T09:00:00.123Z') }, { kind: 'export', subject: { type: 'dataset', id: 'audit' }, detail: { filters: { kind: ['login_failed'] }, note: null } });
    const failed = await recordAudit(h.store, { actor: null, ip: '10.0.0.8', userAgent: null, at: new Date('2026-12-02T09:00:01Z') }, { kind: 'login_failed', subject: { type: 'email', id: 'who@example.com' } });
    const checkpoint = [exported.checkpoint, failed.checkpoint].sort()[1];
    await caughtUp(h.db, 'audit_log', checkpoint);

    const { rows } = await h.db.pool.query('SELECT * FROM read.audit_log ORDER BY at');
    expect(rows).toEqual([
      {
        event_id: exported.eventId, at: new Date('2026-12-02T09:00:00.123Z'), kind: 'export', actor_id: ann.userId, actor_role: 'auditor', actor_email: 'ann@example.com',
        subject_type: 'dataset', subject_id: 'audit', ip: '10.0.0.7', user_agent: 'Firefox', detail: { filters: { kind: ['login_failed'] }, note: null },
        correlation_id: correlationId, stream_id: 'audit-2026-12-02', stream_version: 1, hash: exported.hash,
      },
      {
        event_id: failed.eventId, at: new Date('2026-12-02T09:00:01Z'), kind: 'login_failed', actor_id: null, actor_role: null, actor_email: null,
        subject_type: 'email', subject_id: 'who@example.com', ip: '10.0.0.8', user_agent: null, detail: {},
        correlation_id: failed.eventId, stream_id: 'audit-2026-12-02', stream_version: 2, hash: failed.hash,
      },
    ]);
  });
});
