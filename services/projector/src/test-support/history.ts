import crypto from 'node:crypto';
import type { EventType } from '@leadline/contracts';
import type { NewEvent } from '@leadline/eventstore';
import fc from 'fast-check';
import { leadAssigned, leadCreated, leadDetailsUpdated, leadMoved, newEvent, pipelineCreated, stageAdded, userCreated } from './events.ts';

/** One step of a generated history; numbers pick among what exists at that point (modulo). */
export type Step =
  | { op: 'create'; stage: number; owner: number; value: number | null }
  | { op: 'move'; lead: number; stage: number }
  | { op: 'reorder'; lead: number }
  | { op: 'details'; lead: number; probability: number | null; company: string }
  | { op: 'value'; lead: number; value: number | null }
  | { op: 'probability'; lead: number; probability: number | null }
  | { op: 'closeDate'; lead: number; day: number | null }
  | { op: 'assign'; lead: number; owner: number }
  | { op: 'stageUpdate'; stage: number; probability: number; isWon: boolean }
  | { op: 'stageDelete'; stage: number }
  | { op: 'stagesReorder' }
  | { op: 'log'; lead: number; completed: boolean }
  | { op: 'activityUpdate'; activity: number }
  | { op: 'activityComplete'; activity: number }
  | { op: 'activityDelete'; activity: number }
  | { op: 'forget'; lead: number };

export type Append = { streamId: string; events: NewEvent[] };

const small = fc.nat({ max: 50 });
const value = fc.option(fc.integer({ min: 0, max: 1_000_000 }).map((c) => c / 100), { nil: null });
const probability = fc.option(fc.integer({ min: 0, max: 100 }), { nil: null });

/** Steps weighted towards lead moves, the hot path: back and forth, won then reopened, lost. */
export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('create' as const), stage: small, owner: small, value }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant('move' as const), lead: small, stage: small }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reorder' as const), lead: small }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('details' as const), lead: small, probability, company: fc.constantFrom('Acme', 'Globex', '') }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('value' as const), lead: small, value }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('probability' as const), lead: small, probability }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('closeDate' as const), lead: small, day: fc.option(fc.integer({ min: 1, max: 28 }), { nil: null }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('assign' as const), lead: small, owner: small }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('stageUpdate' as const), stage: small, probability: fc.integer({ min: 0, max: 100 }), isWon: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('stageDelete' as const), stage: small }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('stagesReorder' as const) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('log' as const), lead: small, completed: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('activityUpdate' as const), activity: small }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('activityComplete' as const), activity: small }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('activityDelete' as const), activity: small }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('forget' as const), lead: small }) },
);

type Stage = { id: string; name: string; isWon: boolean; isLost: boolean; probability: number; deleted: boolean };
type Lead = { id: string; stageId: string; value: number | null; ownerId: string | null; rank: number };
type Activity = { id: string; leadId: string; completed: boolean; deleted: boolean };

/**
 * Interprets steps as a command side would: every event is valid for the state it follows (a move
 * leaves the lead's current stage, a lost stage brings a reason, a deleted stage's leads move on,
 * nothing touches a deleted activity). Several steps share one timestamp now and then.
 */
export function buildHistory(steps: Step[], epochMs = Date.parse('2026-05-01T08:00:00.000Z')): Append[] {
  let clock = epochMs;
  const at = (i: number) => new Date((clock += i % 3 === 0 ? 0 : 1000)).toISOString();
  const pipelineId = crypto.randomUUID();
  const stageDefs = [
    { name: 'New', probability: 10, isWon: false, isLost: false },
    { name: 'Qualified', probability: 40, isWon: false, isLost: false },
    { name: 'Proposal', probability: 70, isWon: false, isLost: false },
    { name: 'Won', probability: 100, isWon: true, isLost: false },
    { name: 'Lost', probability: 0, isWon: false, isLost: true },
  ];
  const stages: Stage[] = stageDefs.map((s) => ({ ...s, id: crypto.randomUUID(), deleted: false }));
  const users = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  const leads: Lead[] = [];
  const activities: Activity[] = [];
  const out: Append[] = [];
  const pipelineStream = `pipeline-${pipelineId}`;
  const push = (streamId: string, ...events: NewEvent[]) => out.push({ streamId, events });
  const ev = <T extends EventType>(type: T, data: Parameters<typeof newEvent<T>>[1], i: number) => newEvent(type, data, at(i));

  push(pipelineStream, pipelineCreated(pipelineId), ...stages.map((s, i) => stageAdded(pipelineId, s.id, { name: s.name, probability: s.probability, orderPosition: i, isWon: s.isWon, isLost: s.isLost })));
  users.forEach((userId, i) => push(`user-${userId}`, userCreated({ userId, email: `u${i}-${userId.slice(0, 8)}@example.com`, name: `User ${i}` })));

  const live = () => stages.filter((s) => !s.deleted);
  const move = (lead: Lead, to: Stage, i: number): NewEvent => {
    const fromStageId = lead.stageId;
    lead.stageId = to.id;
    lead.rank += 1;
    return ev('LeadMovedToStage', {
      leadId: lead.id, pipelineId, fromStageId, toStageId: to.id, rank: `r${String(lead.rank).padStart(4, '0')}`,
      lostReason: to.isLost ? 'timing' : null, wonValue: to.isWon ? lead.value : null,
    }, i);
  };

  steps.forEach((step, i) => {
    const lead = leads.length > 0 && 'lead' in step ? leads[step.lead % leads.length] : undefined;
    const activity = activities.length > 0 && 'activity' in step ? activities[step.activity % activities.length] : undefined;
    switch (step.op) {
      case 'create': {
        const open = live().filter((s) => !s.isWon && !s.isLost);
        const stage = open[step.stage % open.length] ?? live()[0];
        const l: Lead = { id: crypto.randomUUID(), stageId: stage.id, value: step.value, ownerId: step.owner % 4 === 3 ? null : users[step.owner % 3], rank: 0 };
        leads.push(l);
        const created = leadCreated({ leadId: l.id, pipelineId, stageId: stage.id, rank: 'r0000', ownerId: l.ownerId, fields: { company: `Co ${i}`, dealValue: l.value, firstName: 'Ada' } });
        created.metadata.occurredAt = at(i);
        return push(`lead-${l.id}`, created);
      }
      case 'move': {
        if (!lead) return;
        const target = live()[step.stage % live().length];
        return push(`lead-${lead.id}`, move(lead, target, i));
      }
      case 'reorder': {
        if (!lead) return;
        return push(`lead-${lead.id}`, move(lead, stages.find((s) => s.id === lead.stageId) as Stage, i));
      }
      case 'details': {
        if (!lead) return;
        const e = leadDetailsUpdated(lead.id, { probability: step.probability, company: step.company || null, ...(step.company === 'Acme' ? { lastName: `Name ${i}`, email: `p${i}@example.com` } : {}) });
        e.metadata.occurredAt = at(i);
        return push(`lead-${lead.id}`, e);
      }
      case 'value': {
        if (!lead) return;
        const from = lead.value;
        lead.value = step.value;
        return push(`lead-${lead.id}`, ev('LeadDealValueChanged', { leadId: lead.id, from, to: step.value }, i));
      }
      case 'probability':
        if (!lead) return;
        return push(`lead-${lead.id}`, ev('LeadProbabilityChanged', { leadId: lead.id, from: null, to: step.probability }, i));
      case 'closeDate':
        if (!lead) return;
        return push(`lead-${lead.id}`, ev('LeadExpectedCloseDateChanged', { leadId: lead.id, from: null, to: step.day === null ? null : `2026-07-${String(step.day).padStart(2, '0')}` }, i));
      case 'assign': {
        if (!lead) return;
        const ownerId = step.owner % 4 === 3 ? null : users[step.owner % 3];
        const e = leadAssigned(lead.id, ownerId, lead.ownerId);
        e.metadata.occurredAt = at(i);
        lead.ownerId = ownerId;
        return push(`lead-${lead.id}`, e);
      }
      case 'stageUpdate': {
        const stage = live()[step.stage % live().length];
        if (stage.isLost) return;
        stage.probability = step.probability;
        stage.isWon = step.isWon;
        return push(pipelineStream, ev('StageUpdated', { pipelineId, stageId: stage.id, name: stage.name, color: '#64748B', isActive: true, isWon: stage.isWon, isLost: false, probability: stage.probability, rottingDays: 7 }, i));
      }
      case 'stageDelete': {
        const candidates = live().filter((s) => !s.isWon && !s.isLost);
        if (candidates.length <= 1) return;
        const stage = candidates[step.stage % candidates.length];
        const to = candidates.find((s) => s !== stage) as Stage;
        stage.deleted = true;
        push(pipelineStream, ev('StageDeleted', { pipelineId, stageId: stage.id, moveToStageId: to.id }, i));
        for (const l of leads.filter((x) => x.stageId === stage.id)) push(`lead-${l.id}`, move(l, to, i));
        return;
      }
      case 'stagesReorder':
        return push(pipelineStream, ev('StagesReordered', { pipelineId, stageIds: live().map((s) => s.id).reverse() }, i));
      case 'log': {
        if (!lead) return;
        const a: Activity = { id: crypto.randomUUID(), leadId: lead.id, completed: step.completed, deleted: false };
        activities.push(a);
        const completion = step.completed ? { completedAt: at(i), outcome: 'connected', durationMinutes: 5 } : null;
        return push(`activity-${a.id}`, ev('ActivityLogged', { activityId: a.id, leadId: lead.id, type: 'call', userId: users[0], subject: `Call ${i}`, description: 'notes', scheduledAt: null, details: { direction: 'outbound', phoneNumber: '555 0100' }, completion, templateId: null }, i));
      }
      case 'activityUpdate':
        if (!activity || activity.deleted) return;
        return push(`activity-${activity.id}`, ev('ActivityUpdated', { activityId: activity.id, leadId: activity.leadId, changes: { subject: { from: null, to: `Edited ${i}` } } }, i));
      case 'activityComplete':
        if (!activity || activity.deleted || activity.completed) return;
        activity.completed = true;
        return push(`activity-${activity.id}`, ev('ActivityCompleted', { activityId: activity.id, leadId: activity.leadId, completedAt: at(i), outcome: 'no_answer', durationMinutes: null }, i));
      case 'activityDelete':
        if (!activity || activity.deleted) return;
        activity.deleted = true;
        return push(`activity-${activity.id}`, ev('ActivityDeleted', { activityId: activity.id, leadId: activity.leadId, reason: 'duplicate' }, i));
      case 'forget':
        // Later steps may still touch the lead (in clear here; the sealing store would refuse their personal values).
        if (!lead) return;
        return push(`lead-${lead.id}`, ev('LeadForgotten', { leadId: lead.id, reason: 'erasure request' }, i));
      default: {
        const _exhaustive: never = step;
        return _exhaustive;
      }
    }
  });
  return out;
}
