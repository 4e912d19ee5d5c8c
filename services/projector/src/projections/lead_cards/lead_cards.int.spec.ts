import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjector, type Projector } from '../../engine/projector.ts';
import { append, leadAssigned, leadCreated, leadDetailsUpdated, leadMoved, newEvent, stageAdded } from '../../test-support/events.ts';
import { caughtUp, projectorHarness, type ProjectorHarness } from '../../test-support/harness.ts';
import { leadCardsProjection } from './projection.ts';

const at = (e: { metadata: Record<string, unknown> }) => new Date(e.metadata.occurredAt as string);

describe('lead_cards projection', () => {
  let h: ProjectorHarness;
  let projector: Projector;
  const pipelineId = crypto.randomUUID();
  const [open, won, lost] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  const lead = async (id: string) => (await h.db.pool.query('SELECT * FROM read.leads WHERE id = $1', [id])).rows[0];

  beforeAll(async () => {
    h = await projectorHarness({ projections: [leadCardsProjection] });
    projector = await startProjector(h.deps);
    const cp = await append(
      h.store,
      `pipeline-${pipelineId}`,
      stageAdded(pipelineId, open, { name: 'Open' }),
      stageAdded(pipelineId, won, { name: 'Won', isWon: true, orderPosition: 1 }),
      stageAdded(pipelineId, lost, { name: 'Lost', isLost: true, orderPosition: 2 }),
    );
    await caughtUp(h.db, 'lead_cards', cp);
  });
  afterAll(async () => {
    await projector?.stop();
    await h?.dispose();
  });

  it('has the indexes and autovacuum settings the overview relies on', async () => {
    const { rows } = await h.db.pool.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'read' AND tablename = 'leads__g1'`);
    const columns = rows.map((r) => r.indexdef.replace(/^.* USING btree /, ''));
    expect(columns).toEqual(expect.arrayContaining(['(stage_id, stage_entered_at)', '(stage_id, touched_at)']));
    const options = await h.db.pool.query<{ reloptions: string[] }>(`SELECT reloptions FROM pg_class WHERE oid = 'read.leads__g1'::regclass`);
    expect(options.rows[0].reloptions).toEqual(['autovacuum_vacuum_scale_factor=0.01', 'autovacuum_vacuum_insert_scale_factor=0.01']);
  });

  it('creates a card with every field, the creation time and version 1', async () => {
    const leadId = crypto.randomUUID();
    const ownerId = crypto.randomUUID();
    const created = leadCreated({
      leadId,
      pipelineId,
      stageId: open,
      rank: 'a0',
      ownerId,
      fields: {
        firstName: 'Grace', lastName: 'Hopper', email: 'grace@navy.mil', phone: '+1 555', company: 'Navy', title: 'RADM',
        source: 'web', industry: 'defense', country: 'US', city: 'Arlington', companySize: '1000+', dealValue: 10000000000000,
        expectedCloseDate: '2026-06-30', probability: 55, customFields: { tier: 'gold', seats: 12 },
      },
    });
    const cp = await append(h.store, `lead-${leadId}`, created);
    await caughtUp(h.db, 'lead_cards', cp);
    expect(await lead(leadId)).toEqual({
      id: leadId, pipeline_id: pipelineId, stage_id: open, rank: 'a0', first_name: 'Grace', last_name: 'Hopper', email: 'grace@navy.mil',
      phone: '+1 555', company: 'Navy', title: 'RADM', source: 'web', industry: 'defense', country: 'US', city: 'Arlington',
      company_size: '1000+', deal_value: 10000000000000, expected_close_date: expect.any(Date), probability: 55,
      custom_fields: { tier: 'gold', seats: 12 }, owner_id: ownerId, lost_reason: null, won_at: null,
      stage_entered_at: at(created), version: 1, created_at: at(created), updated_at: at(created), activity_at: null, touched_at: at(created),
      forgotten_at: null,
    });
    const { rows } = await h.db.pool.query(`SELECT expected_close_date::text AS d FROM read.leads WHERE id = $1`, [leadId]);
    expect(rows[0].d).toBe('2026-06-30');
  });

  it('applies detail changes, clears fields set to null and replaces custom fields', async () => {
    const leadId = crypto.randomUUID();
    await append(h.store, `lead-${leadId}`, leadCreated({ leadId, pipelineId, stageId: open, fields: { company: 'Acme', dealValue: 100, customFields: { a: 1 } } }));
    const update = leadDetailsUpdated(leadId, { company: null, lastName: 'Coyote', dealValue: 2500.5, probability: 80, customFields: { b: true } });
    const cp = await append(h.store, `lead-${leadId}`, update);
    await caughtUp(h.db, 'lead_cards', cp);
    expect(await lead(leadId)).toMatchObject({
      company: null, last_name: 'Coyote', deal_value: 2500.5, probability: 80, custom_fields: { b: true }, version: 2, updated_at: at(update),
    });
  });

  it('moves: resets stage_entered_at on a stage change, keeps it on a reorder, sets and clears won_at and lost_reason', async () => {
    const leadId = crypto.randomUUID();
    const created = leadCreated({ leadId, pipelineId, stageId: open, rank: 'm' });
    await append(h.store, `lead-${leadId}`, created);
    const reorder = leadMoved({ leadId, pipelineId, fromStageId: open, toStageId: open, rank: 'c' });
    let cp = await append(h.store, `lead-${leadId}`, reorder);
    await caughtUp(h.db, 'lead_cards', cp);
    expect(await lead(leadId)).toMatchObject({ stage_id: open, rank: 'c', stage_entered_at: at(created), version: 2, updated_at: at(reorder) });

    const toWon = leadMoved({ leadId, pipelineId, fromStageId: open, toStageId: won, rank: 'd', wonValue: 100 });
    const reorderWon = leadMoved({ leadId, pipelineId, fromStageId: won, toStageId: won, rank: 'e', wonValue: 100 });
    cp = await append(h.store, `lead-${leadId}`, toWon, reorderWon);
    await caughtUp(h.db, 'lead_cards', cp);
    expect(await lead(leadId)).toMatchObject({ stage_id: won, rank: 'e', won_at: at(toWon), stage_entered_at: at(toWon), lost_reason: null, version: 4 });

    const toLost = leadMoved({ leadId, pipelineId, fromStageId: won, toStageId: lost, lostReason: 'budget' });
    const reorderLost = leadMoved({ leadId, pipelineId, fromStageId: lost, toStageId: lost, rank: 'z' });
    cp = await append(h.store, `lead-${leadId}`, toLost, reorderLost);
    await caughtUp(h.db, 'lead_cards', cp);
    expect(await lead(leadId)).toMatchObject({ stage_id: lost, won_at: null, lost_reason: 'budget', stage_entered_at: at(toLost), rank: 'z' });

    const back = leadMoved({ leadId, pipelineId, fromStageId: lost, toStageId: open });
    cp = await append(h.store, `lead-${leadId}`, back);
    await caughtUp(h.db, 'lead_cards', cp);
    expect(await lead(leadId)).toMatchObject({ stage_id: open, won_at: null, lost_reason: null, stage_entered_at: at(back), version: 7 });
  });

  it('sets won_at on entering a won stage even without a deal value (wonValue null)', async () => {
    const leadId = crypto.randomUUID();
    await append(h.store, `lead-${leadId}`, leadCreated({ leadId, pipelineId, stageId: open, fields: { lastName: 'No value' } }));
    const toWon = leadMoved({ leadId, pipelineId, fromStageId: open, toStageId: won, wonValue: null });
    const cp = await append(h.store, `lead-${leadId}`, toWon);
    await caughtUp(h.db, 'lead_cards', cp);
    expect(await lead(leadId)).toMatchObject({ stage_id: won, won_at: at(toWon), deal_value: null });
  });

  it('assigns and unassigns', async () => {
    const leadId = crypto.randomUUID();
    const owner = crypto.randomUUID();
    await append(h.store, `lead-${leadId}`, leadCreated({ leadId, pipelineId, stageId: open }));
    let cp = await append(h.store, `lead-${leadId}`, leadAssigned(leadId, owner));
    await caughtUp(h.db, 'lead_cards', cp);
    expect(await lead(leadId)).toMatchObject({ owner_id: owner, version: 2 });
    cp = await append(h.store, `lead-${leadId}`, leadAssigned(leadId, null, owner));
    await caughtUp(h.db, 'lead_cards', cp);
    expect(await lead(leadId)).toMatchObject({ owner_id: null, version: 3 });
  });

  it('an activity logged or completed on the lead touches it (touched_at) without changing the lead (version, updated_at)', async () => {
    const leadId = crypto.randomUUID();
    const activityId = crypto.randomUUID();
    const created = leadCreated({ leadId, pipelineId, stageId: open });
    await append(h.store, `lead-${leadId}`, created);
    const logged = newEvent('ActivityLogged', {
      activityId, leadId, type: 'call', userId: crypto.randomUUID(), subject: 'Intro call', description: null, scheduledAt: null, details: {}, completion: null, templateId: null,
    });
    let cp = await append(h.store, `activity-${activityId}`, logged);
    await caughtUp(h.db, 'lead_cards', cp);
    expect(await lead(leadId)).toMatchObject({ version: 1, updated_at: at(created), activity_at: at(logged), touched_at: at(logged) });
    const completed = newEvent('ActivityCompleted', { activityId, leadId, completedAt: new Date().toISOString(), outcome: 'reached', durationMinutes: 5 });
    cp = await append(h.store, `activity-${activityId}`, completed);
    await caughtUp(h.db, 'lead_cards', cp);
    expect(await lead(leadId)).toMatchObject({ version: 1, updated_at: at(created), touched_at: at(completed) });
    // A later change on the lead's own stream is the latest touch again.
    const moved = leadMoved({ leadId, pipelineId, fromStageId: open, toStageId: open, rank: 'm' });
    cp = await append(h.store, `lead-${leadId}`, moved);
    await caughtUp(h.db, 'lead_cards', cp);
    expect(await lead(leadId)).toMatchObject({ version: 2, updated_at: at(moved), touched_at: at(moved) });
  });

  it('orders ranks bytewise (COLLATE "C")', async () => {
    const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const stage = crypto.randomUUID();
    let cp = '';
    for (const [i, rank] of ['a', 'B', 'Z'].entries()) {
      cp = await append(h.store, `lead-${ids[i]}`, leadCreated({ leadId: ids[i], pipelineId, stageId: stage, rank }));
    }
    await caughtUp(h.db, 'lead_cards', cp);
    const { rows } = await h.db.pool.query('SELECT rank FROM read.leads WHERE stage_id = $1 ORDER BY rank, id', [stage]);
    expect(rows.map((r) => r.rank)).toEqual(['B', 'Z', 'a']);
  });
});
