import crypto from 'node:crypto';
import { CONVERSION_ALL_OWNERS as ALL_OWNERS, CONVERSION_NO_STAGE as NO_STAGE, stayLengthBucket } from '@leadline/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjector, type Projector } from '../../engine/projector.ts';
import { verify } from '../../engine/verify.ts';
import { append, leadAssigned, leadCreated, leadMoved } from '../../test-support/events.ts';
import { caughtUp, projectorHarness, type ProjectorHarness } from '../../test-support/harness.ts';
import { conversionProjection } from './projection.ts';

const HOUR = 3_600_000;
const at = (hours: number) => new Date(Date.parse('2026-05-01T09:00:00.000Z') + hours * HOUR).toISOString();
const withTime = <T extends { metadata: unknown }>(e: T, hours: number): T => ({ ...e, metadata: { ...(e.metadata as object), occurredAt: at(hours) } });

describe('conversion projection', () => {
  let h: ProjectorHarness;
  let projector: Projector;
  const [sales, partners] = [crypto.randomUUID(), crypto.randomUUID()];
  const [NEW, PROPOSAL, LOST, P_NEW] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
  const [ann, bob] = [crypto.randomUUID(), crypto.randomUUID()];

  beforeAll(async () => {
    h = await projectorHarness({ projections: [conversionProjection] });
    projector = await startProjector(h.deps);
    // a: created for Ann in New, to Proposal (3 h), reassigned to Bob, back to New (a day later), to Proposal again, lost.
    await append(
      h.store,
      `lead-${a}`,
      withTime(leadCreated({ leadId: a, pipelineId: sales, stageId: NEW, ownerId: ann }), 0),
      withTime(leadMoved({ leadId: a, pipelineId: sales, fromStageId: NEW, toStageId: PROPOSAL }), 3),
      withTime(leadMoved({ leadId: a, pipelineId: sales, fromStageId: PROPOSAL, toStageId: PROPOSAL, rank: 'Z' }), 4),
      withTime(leadAssigned(a, bob, ann), 5),
      withTime(leadMoved({ leadId: a, pipelineId: sales, fromStageId: PROPOSAL, toStageId: NEW }), 27),
      withTime(leadMoved({ leadId: a, pipelineId: sales, fromStageId: NEW, toStageId: PROPOSAL }), 28),
      withTime(leadMoved({ leadId: a, pipelineId: sales, fromStageId: PROPOSAL, toStageId: LOST, lostReason: 'No budget' }), 30),
    );
    // b: unassigned, created in New, moved into the other pipeline.
    const last = await append(
      h.store,
      `lead-${b}`,
      withTime(leadCreated({ leadId: b, pipelineId: sales, stageId: NEW }), 1),
      withTime(leadMoved({ leadId: b, pipelineId: partners, fromStageId: NEW, toStageId: P_NEW }), 2),
    );
    await caughtUp(h.db, 'conversion', last);
  });
  afterAll(async () => {
    await projector?.stop();
    await h?.dispose();
  });

  it('keeps per lead and pipeline: entry, owner at entry, current stay and the first time each stage was reached', async () => {
    const { rows } = await h.db.pool.query(
      `SELECT lead_id, pipeline_id, entered_at, entry_owner_id, owner_id, stage_id, stay_owner_id, reach, reached, reached_through FROM read.conversion_leads ORDER BY entered_at`,
    );
    expect(rows).toEqual([
      {
        lead_id: a,
        pipeline_id: sales,
        entered_at: new Date(at(0)),
        entry_owner_id: ann,
        owner_id: bob,
        stage_id: LOST,
        stay_owner_id: bob,
        reach: { [NEW]: at(0), [PROPOSAL]: at(3), [LOST]: at(30) },
        reached: [NEW, PROPOSAL, LOST].sort(),
        reached_through: new Date(at(30)),
      },
      { lead_id: b, pipeline_id: sales, entered_at: new Date(at(1)), entry_owner_id: null, owner_id: null, stage_id: null, stay_owner_id: null, reach: { [NEW]: at(1) }, reached: [NEW], reached_through: new Date(at(1)) },
      { lead_id: b, pipeline_id: partners, entered_at: new Date(at(2)), entry_owner_id: null, owner_id: null, stage_id: P_NEW, stay_owner_id: null, reach: { [P_NEW]: at(2) }, reached: [P_NEW], reached_through: new Date(at(2)) },
    ]);
  });

  it('counts entries per UTC day, owner at the entry (and all owners) and from-stage; reorders are not entries', async () => {
    const { rows } = await h.db.pool.query(`SELECT owner_key, to_char(day, 'YYYY-MM-DD') AS day, from_key, stage_id, entries FROM read.conversion_entries WHERE pipeline_id = $1`, [sales]);
    const entries = (owner: string) =>
      rows
        .filter((r) => r.owner_key === owner)
        .map((r) => `${r.day} ${r.from_key === NO_STAGE ? '-' : r.from_key === NEW ? 'New' : 'Proposal'}→${r.stage_id === NEW ? 'New' : r.stage_id === PROPOSAL ? 'Proposal' : 'Lost'} ${r.entries}`)
        .sort();
    expect(entries(ALL_OWNERS)).toEqual(['2026-05-01 -→New 2', '2026-05-01 New→Proposal 1', '2026-05-02 New→Proposal 1', '2026-05-02 Proposal→Lost 1', '2026-05-02 Proposal→New 1']);
    expect(entries(ann)).toEqual(['2026-05-01 -→New 1', '2026-05-01 New→Proposal 1']);
    expect(entries(bob)).toEqual(['2026-05-02 New→Proposal 1', '2026-05-02 Proposal→Lost 1', '2026-05-02 Proposal→New 1']);
    const partnerRows = (await h.db.pool.query(`SELECT owner_key, from_key, stage_id, entries FROM read.conversion_entries WHERE pipeline_id = $1`, [partners])).rows;
    expect(partnerRows).toEqual([{ owner_key: ALL_OWNERS, from_key: NEW, stage_id: P_NEW, entries: 1 }]);
  });

  it('counts every ended stay by the day it ended, its owner at entry and its length bucket', async () => {
    const { rows } = await h.db.pool.query(
      `SELECT owner_key, to_char(day, 'YYYY-MM-DD') AS day, stage_id, bucket, stays FROM read.conversion_stay_lengths WHERE pipeline_id = $1 ORDER BY day, owner_key, stage_id, bucket`,
      [sales],
    );
    const expected = [
      // a in New 0 → 3 h (Ann), in Proposal 3 → 27 h (entered under Ann), New 27 → 28 (Bob), Proposal 28 → 30 (Bob); b in New 1 → 2 h (unassigned).
      { owner: ann, day: '2026-05-01', stage: NEW, hours: 3 },
      { owner: ann, day: '2026-05-02', stage: PROPOSAL, hours: 24 },
      { owner: bob, day: '2026-05-02', stage: NEW, hours: 1 },
      { owner: bob, day: '2026-05-02', stage: PROPOSAL, hours: 2 },
      { owner: null, day: '2026-05-01', stage: NEW, hours: 1 },
    ];
    const key = (r: { owner_key: string; day: string; stage_id: string; bucket: number; stays: number }) => `${r.owner_key} ${r.day} ${r.stage_id} ${r.bucket} ${r.stays}`;
    const want = new Map<string, number>();
    for (const e of expected)
      for (const owner of e.owner ? [ALL_OWNERS, e.owner] : [ALL_OWNERS]) {
        const k = `${owner} ${e.day} ${e.stage} ${stayLengthBucket(e.hours * 3600)}`;
        want.set(k, (want.get(k) ?? 0) + 1);
      }
    expect(rows.map(key).sort()).toEqual([...want].map(([k, n]) => `${k} ${n}`).sort());
  });

  it('a rebuild gives exactly the live rows', async () => {
    expect(await verify(h.deps)).toEqual([]);
  });
});
