import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjector, type Projector } from '../../engine/projector.ts';
import { verify } from '../../engine/verify.ts';
import { append, leadAssigned, leadCreated, leadMoved, newEvent, stageAdded } from '../../test-support/events.ts';
import { caughtUp, projectorHarness, type ProjectorHarness } from '../../test-support/harness.ts';
import { pipelineHistoryProjection } from './projection.ts';

const at = (minute: number) => new Date(Date.parse('2026-05-01T09:00:00.000Z') + minute * 60_000).toISOString();
const withTime = <T extends { metadata: unknown }>(e: T, minute: number): T => ({ ...e, metadata: { ...(e.metadata as object), occurredAt: at(minute) } });

describe('pipeline_history projection', () => {
  let h: ProjectorHarness;
  let projector: Projector;
  const pipelineId = crypto.randomUUID();
  const [NEW, PROPOSAL, LOST] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  const leadId = crypto.randomUUID();
  const owner = crypto.randomUUID();
  let last = '';

  beforeAll(async () => {
    h = await projectorHarness({ projections: [pipelineHistoryProjection] });
    projector = await startProjector(h.deps);
    await append(
      h.store,
      `pipeline-${pipelineId}`,
      withTime(stageAdded(pipelineId, NEW, { name: 'New', orderPosition: 0, rottingDays: 7 }), 0),
      withTime(stageAdded(pipelineId, PROPOSAL, { name: 'Proposal', orderPosition: 1, probability: 70 }), 0),
      withTime(stageAdded(pipelineId, LOST, { name: 'Lost', orderPosition: 2, isLost: true, probability: 0 }), 0),
    );
    await append(
      h.store,
      `lead-${leadId}`,
      withTime(leadCreated({ leadId, pipelineId, stageId: NEW, fields: { company: 'Acme', dealValue: 1000 } }), 10),
      withTime(newEvent('LeadDealValueChanged', { leadId, from: 1000, to: 2500 }), 20),
      withTime(leadAssigned(leadId, owner), 25),
      withTime(leadMoved({ leadId, pipelineId, fromStageId: NEW, toStageId: PROPOSAL, rank: 'K' }), 30),
      withTime(leadMoved({ leadId, pipelineId, fromStageId: PROPOSAL, toStageId: PROPOSAL, rank: 'L' }), 35),
    );
    last = await append(
      h.store,
      `pipeline-${pipelineId}`,
      withTime(newEvent('StagesReordered', { pipelineId, stageIds: [PROPOSAL, NEW, LOST] }), 40),
      withTime(newEvent('StageDeleted', { pipelineId, stageId: NEW, moveToStageId: PROPOSAL }), 50),
    );
    await append(h.store, `lead-${leadId}`, withTime(leadMoved({ leadId, pipelineId, fromStageId: PROPOSAL, toStageId: LOST, lostReason: 'No budget' }), 60));
    last = await append(h.store, `lead-${leadId}`, withTime(newEvent('LeadProbabilityChanged', { leadId, from: null, to: 5 }), 60));
    await caughtUp(h.db, 'pipeline_history', last);
  });
  afterAll(async () => {
    await projector?.stop();
    await h?.dispose();
  });

  const leadAt = async (minute: number) =>
    (
      await h.db.pool.query(
        `SELECT stage_id, rank, deal_value::float8 AS deal_value, owner_id, probability, stage_entered_at, touched_at FROM read.lead_versions
         WHERE lead_id = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)`,
        [leadId, at(minute)],
      )
    ).rows;

  it('answers the lead exactly as it stood at any moment', async () => {
    expect(await leadAt(5)).toEqual([]);
    expect(await leadAt(15)).toEqual([{ stage_id: NEW, rank: 'U', deal_value: 1000, owner_id: null, probability: null, stage_entered_at: new Date(at(10)), touched_at: new Date(at(10)) }]);
    expect(await leadAt(26)).toMatchObject([{ stage_id: NEW, deal_value: 2500, owner_id: owner, touched_at: new Date(at(25)) }]);
    // A reorder in the same stage keeps the time the lead entered it.
    expect(await leadAt(36)).toMatchObject([{ stage_id: PROPOSAL, rank: 'L', stage_entered_at: new Date(at(30)), touched_at: new Date(at(35)) }]);
    // Two events at the same moment: the later one is what holds from then on.
    expect(await leadAt(61)).toMatchObject([{ stage_id: LOST, probability: 5 }]);
  });

  it('records every stay in a stage with where the lead came from and who owned it', async () => {
    const { rows } = await h.db.pool.query('SELECT stage_id, from_stage_id, owner_id, entered_at, left_at FROM read.stage_stays WHERE lead_id = $1 ORDER BY version', [leadId]);
    expect(rows).toEqual([
      { stage_id: NEW, from_stage_id: null, owner_id: null, entered_at: new Date(at(10)), left_at: new Date(at(30)) },
      { stage_id: PROPOSAL, from_stage_id: NEW, owner_id: owner, entered_at: new Date(at(30)), left_at: new Date(at(60)) },
      { stage_id: LOST, from_stage_id: PROPOSAL, owner_id: owner, entered_at: new Date(at(60)), left_at: null },
    ]);
  });

  it('keeps each stage as it was: order before and after a reorder, gone after a delete', async () => {
    const stagesAt = async (minute: number) =>
      (
        await h.db.pool.query(
          `SELECT stage_id, order_position FROM read.stage_versions WHERE pipeline_id = $1 AND NOT deleted AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2) ORDER BY order_position`,
          [pipelineId, at(minute)],
        )
      ).rows.map((r) => r.stage_id);
    expect(await stagesAt(30)).toEqual([NEW, PROPOSAL, LOST]);
    expect(await stagesAt(45)).toEqual([PROPOSAL, NEW, LOST]);
    expect(await stagesAt(55)).toEqual([PROPOSAL, LOST]);
  });

  it('a rebuild gives exactly the live rows', async () => {
    expect(await verify(h.deps)).toEqual([]);
  });
});
