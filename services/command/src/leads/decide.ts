import { completeLeadFields, type AssignmentVia, type FieldView, type LeadFields, type UpdateLeadBody } from '@leadline/contracts';
import { ConflictError, ForbiddenError, IllegalStateError, NotFoundError } from '@leadline/platform';
import type { Actor, CommandMetadata, EventPayload } from '../events.ts';
import { assertMayWriteFields, keepUnseenCustomFields, writtenFields } from '../fields/writes.ts';
import { activeStage, firstOpenStage, isClosed, type PipelineState, type Stage } from '../pipelines/pipeline.ts';
import { canOwnLeads, type UserState } from '../users/user.ts';
import type { ActiveLead, LeadState } from './lead.ts';
import { rankBetween } from './rank.ts';

export type CreateLead = {
  type: 'CreateLead';
  data: { leadId: string; pipelineId: string; stageId?: string; ownerId?: string | null; fields: Partial<LeadFields> };
  /** Facts the handler read for this decision: the pipeline, the resolved owner, the column's current top rank, the actor's field permissions. */
  context: { pipeline: PipelineState; owner: UserState; topRank: string | null; fields: FieldView };
  metadata: CommandMetadata;
};

export type UpdateLeadDetails = {
  type: 'UpdateLeadDetails';
  data: { leadId: string; changes: UpdateLeadBody };
  context: { pipeline: PipelineState; fields: FieldView };
  metadata: CommandMetadata;
};

export type MoveLeadToStage = {
  type: 'MoveLeadToStage';
  data: { leadId: string; stageId: string; lostReason?: string; afterLeadId?: string; beforeLeadId?: string };
  /** `above`/`below`: the states of afterLeadId/beforeLeadId; `topRank`: the target column's top rank. */
  context: { pipeline: PipelineState; above: LeadState | null; below: LeadState | null; topRank: string | null };
  metadata: CommandMetadata;
};

export type ReopenLead = {
  type: 'ReopenLead';
  data: { leadId: string; stageId?: string };
  /** `topRank`: the top rank of the stage `reopenTarget` chose. */
  context: { pipeline: PipelineState; topRank: string | null };
  metadata: CommandMetadata;
};

export type AssignLead = {
  type: 'AssignLead';
  /** `how`: routing and bulk paths record the rule and matched conditions; absent = by hand. */
  data: { leadId: string; ownerId: string | null; reason: string | null; how?: AssignmentHow };
  context: { owner: UserState };
  metadata: CommandMetadata;
};

export type AssignmentHow = { via: AssignmentVia; ruleId: string | null; ruleName: string | null; matched: string[] };
const BY_HAND: AssignmentHow = { via: 'manual', ruleId: null, ruleName: null, matched: [] };

export type LeadCommand = CreateLead | UpdateLeadDetails | MoveLeadToStage | ReopenLead | AssignLead;
export type LeadEvent = EventPayload<
  'LeadCreated' | 'LeadDetailsUpdated' | 'LeadMovedToStage' | 'LeadAssigned' | 'LeadDealValueChanged' | 'LeadExpectedCloseDateChanged' | 'LeadProbabilityChanged'
>;

/** A rep works on their own and unassigned leads; anyone else's lead does not exist for them. */
export const repMayWorkOn = (actor: Actor, lead: ActiveLead): boolean => actor.role !== 'rep' || lead.ownerId === null || lead.ownerId === actor.userId;

/**
 * The one check of every write on a lead (lead commands, activities): a missing lead and another
 * rep's lead answer the same 404, so a rep cannot learn which ids exist or whose they are;
 * auditors and analysts never write (403).
 */
export function requireChangeableLead(state: LeadState, leadId: string, actor: Actor): ActiveLead {
  if (state.status !== 'active' || !repMayWorkOn(actor, state)) throw new NotFoundError(`Lead ${leadId} not found`);
  if (actor.role === 'auditor' || actor.role === 'analyst') throw new ForbiddenError(`The ${actor.role} role cannot change leads`);
  return state;
}

function assertValidOwner(ownerId: string | null, owner: UserState): void {
  if (ownerId === null) return;
  if (!canOwnLeads(owner) || (owner.status === 'active' && owner.id !== ownerId))
    throw new IllegalStateError('invalid-owner', `User ${ownerId} does not exist or may not own leads (admin, manager or rep only)`);
}

/** A rep's new lead is theirs unless they ask for none; others' new leads are unassigned unless named. */
export function ownerForNewLead(actor: Actor, ownerId: string | null | undefined): string | null {
  if (ownerId !== undefined) return ownerId;
  return actor.role === 'rep' ? actor.userId : null;
}

/** The named stage, else the first open stage; undefined when there is none to use. */
export const stageForNewLead = (pipeline: PipelineState, stageId: string | undefined): Stage | undefined =>
  stageId === undefined ? firstOpenStage(pipeline) : activeStage(pipeline, stageId);

const hasName = (f: Pick<LeadFields, 'firstName' | 'lastName' | 'company'>): boolean => Boolean(f.firstName || f.lastName || f.company);

export function createLead(command: CreateLead, state: LeadState): LeadEvent[] {
  const { data, context, metadata } = command;
  const { actor } = metadata;
  if (actor.role === 'auditor' || actor.role === 'analyst') throw new ForbiddenError(`The ${actor.role} role cannot create leads`);
  if (state.status !== 'none') throw new ConflictError(`Lead ${data.leadId} already exists`, { rule: 'lead-exists' });
  if (context.pipeline.status !== 'active') throw new IllegalStateError('unknown-pipeline', `Pipeline ${data.pipelineId} does not exist`);
  if (context.pipeline.isArchived) throw new IllegalStateError('pipeline-archived', `Pipeline "${context.pipeline.name}" is archived`);
  const stage = stageForNewLead(context.pipeline, data.stageId);
  if (!stage) {
    if (data.stageId === undefined) throw new IllegalStateError('no-open-stage', 'The pipeline has no open stage to put a new lead in');
    throw new IllegalStateError('unknown-stage', `Stage ${data.stageId} is not an active stage of this pipeline`);
  }
  if (isClosed(stage)) throw new IllegalStateError('create-in-closed-stage', `A new lead cannot start in the ${stage.isWon ? 'won' : 'lost'} stage "${stage.name}"`);
  const ownerId = ownerForNewLead(actor, data.ownerId);
  if (actor.role === 'rep' && ownerId !== null && ownerId !== actor.userId) throw new ForbiddenError('A rep may not give a new lead to someone else');
  assertValidOwner(ownerId, context.owner);
  assertMayWriteFields(context.fields, ownerId, writtenFields(null, data.fields));
  const fields = completeLeadFields(data.fields);
  if (!hasName(fields)) throw new IllegalStateError('name-required', 'A lead needs a first name, a last name or a company');
  return [
    {
      type: 'LeadCreated',
      data: { leadId: data.leadId, pipelineId: context.pipeline.id, stageId: stage.id, rank: rankBetween(null, context.topRank), ownerId, fields },
    },
  ];
}

/** Order-insensitive for object keys, so `{a,b}` equals `{b,a}`. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );

export function updateLeadDetails(command: UpdateLeadDetails, state: LeadState): LeadEvent[] {
  const lead = requireChangeableLead(state, command.data.leadId, command.metadata.actor);
  const stage = command.context.pipeline.status === 'active' ? command.context.pipeline.stages.find((s) => s.id === lead.stageId) : undefined;
  if (stage && isClosed(stage)) throw new IllegalStateError('lead-closed', `The lead is ${stage.isWon ? 'won' : 'lost'}: reopen it first by moving it to an open stage`);
  const given = command.data.changes.customFields
    ? { ...command.data.changes, customFields: keepUnseenCustomFields(command.context.fields, lead.ownerId, lead.fields.customFields, command.data.changes.customFields) }
    : command.data.changes;
  assertMayWriteFields(command.context.fields, lead.ownerId, writtenFields(lead.fields, given));
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const [name, to] of Object.entries(given) as [keyof LeadFields, unknown][]) {
    if (to === undefined) continue;
    const from = lead.fields[name];
    if (canonical(from) !== canonical(to)) changes[name] = { from, to };
  }
  if (Object.keys(changes).length === 0) return [];
  const after = { ...lead.fields, ...Object.fromEntries(Object.entries(changes).map(([k, c]) => [k, c.to])) } as LeadFields;
  if (!hasName(after)) throw new IllegalStateError('name-required', 'A lead needs a first name, a last name or a company');
  const events: LeadEvent[] = [];
  const { dealValue, expectedCloseDate, probability, ...details } = changes;
  if (Object.keys(details).length > 0) events.push({ type: 'LeadDetailsUpdated', data: { leadId: lead.id, changes: details } });
  // The forecast fields each get their own event, so history answers "when did the value change" exactly.
  if (dealValue) events.push({ type: 'LeadDealValueChanged', data: { leadId: lead.id, from: lead.fields.dealValue, to: after.dealValue } });
  if (expectedCloseDate) events.push({ type: 'LeadExpectedCloseDateChanged', data: { leadId: lead.id, from: lead.fields.expectedCloseDate, to: after.expectedCloseDate } });
  if (probability) events.push({ type: 'LeadProbabilityChanged', data: { leadId: lead.id, from: lead.fields.probability, to: after.probability } });
  return events;
}

/** The pipeline's own spelling of a listed reason; free text only when the pipeline allows it. */
function lostReasonFor(pipeline: PipelineState, given: string): string {
  if (pipeline.status !== 'active') return given;
  const listed = pipeline.lostReasons.find((r) => r.toLowerCase() === given.trim().toLowerCase());
  if (listed) return listed;
  if (!pipeline.allowFreeTextLostReason)
    throw new IllegalStateError('unknown-lost-reason', `"${given}" is not one of this pipeline's lost reasons: ${pipeline.lostReasons.join(', ')}`);
  return given.trim();
}

/** The rank a moved card takes; the current one when it already sits where it was dropped. */
function rankForMove(lead: ActiveLead, target: Stage, context: MoveLeadToStage['context']): string {
  const usable = (n: LeadState | null): ActiveLead | null =>
    n && n.status === 'active' && n.id !== lead.id && n.stageId === target.id && n.pipelineId === lead.pipelineId ? n : null;
  const above = usable(context.above);
  const below = usable(context.below);
  const sameStage = target.id === lead.stageId;
  if (above || below) {
    const lo = above?.rank ?? null;
    const hi = below?.rank ?? null;
    if (sameStage && (lo === null || lead.rank > lo) && (hi === null || lead.rank < hi)) return lead.rank;
    return rankBetween(lo, hi);
  }
  if (sameStage && (context.topRank === null || lead.rank <= context.topRank)) return lead.rank;
  return rankBetween(null, context.topRank);
}

export function moveLeadToStage(command: MoveLeadToStage, state: LeadState): LeadEvent[] {
  const { data, context } = command;
  const lead = requireChangeableLead(state, data.leadId, command.metadata.actor);
  const target = context.pipeline.status === 'active' && context.pipeline.id === lead.pipelineId ? activeStage(context.pipeline, data.stageId) : undefined;
  if (!target) throw new IllegalStateError('unknown-stage', `Stage ${data.stageId} is not an active stage of the lead's pipeline`);
  const sameStage = target.id === lead.stageId;
  let lostReason: string | null = null;
  if (target.isLost) {
    lostReason = data.lostReason !== undefined ? lostReasonFor(context.pipeline, data.lostReason) : sameStage ? lead.lostReason : null;
    if (!lostReason) throw new IllegalStateError('lost-reason-required', `Moving a lead to the lost stage "${target.name}" needs a lostReason`);
  }
  const rank = rankForMove(lead, target, context);
  if (sameStage && rank === lead.rank) return [];
  return [
    {
      type: 'LeadMovedToStage',
      data: {
        leadId: lead.id,
        pipelineId: lead.pipelineId,
        fromStageId: lead.stageId,
        toStageId: target.id,
        rank,
        lostReason,
        wonValue: target.isWon ? lead.fields.dealValue : null,
      },
    },
  ];
}

/** Where a reopened lead goes: the named open stage, else the open stage it was last in, else the first open stage. */
export function reopenTarget(lead: LeadState, pipeline: PipelineState, stageId: string | undefined): Stage | undefined {
  if (lead.status !== 'active') return undefined;
  if (stageId !== undefined) return activeStage(pipeline, stageId);
  const last = lead.lastOpenStageId === null ? undefined : activeStage(pipeline, lead.lastOpenStageId);
  return last && !isClosed(last) ? last : firstOpenStage(pipeline);
}

export function reopenLead(command: ReopenLead, state: LeadState): LeadEvent[] {
  const { data, context } = command;
  const lead = requireChangeableLead(state, data.leadId, command.metadata.actor);
  const pipeline = context.pipeline.status === 'active' && context.pipeline.id === lead.pipelineId ? context.pipeline : undefined;
  const current = pipeline?.stages.find((s) => s.id === lead.stageId);
  if (!pipeline || !current || !isClosed(current)) throw new IllegalStateError('lead-not-closed', 'Only a won or lost lead can be reopened');
  const target = reopenTarget(lead, pipeline, data.stageId);
  if (!target) throw new IllegalStateError(data.stageId === undefined ? 'no-open-stage' : 'unknown-stage', 'No open stage of the pipeline to reopen the lead in');
  if (isClosed(target)) throw new IllegalStateError('reopen-into-closed-stage', `A lead is reopened into an open stage, not "${target.name}"`);
  return [
    {
      type: 'LeadMovedToStage',
      data: { leadId: lead.id, pipelineId: lead.pipelineId, fromStageId: lead.stageId, toStageId: target.id, rank: rankBetween(null, context.topRank), lostReason: null, wonValue: null },
    },
  ];
}

export function assignLead(command: AssignLead, state: LeadState): LeadEvent[] {
  const { data, context, metadata } = command;
  const lead = requireChangeableLead(state, data.leadId, metadata.actor);
  if (metadata.actor.role === 'rep' && data.ownerId !== null && data.ownerId !== metadata.actor.userId)
    throw new ForbiddenError('A rep may assign leads only to themselves or to nobody');
  assertValidOwner(data.ownerId, context.owner);
  if (lead.ownerId === data.ownerId) return [];
  return [{ type: 'LeadAssigned', data: { leadId: lead.id, previousOwnerId: lead.ownerId, ownerId: data.ownerId, reason: data.reason, ...(data.how ?? BY_HAND) } }];
}

export function decide(command: LeadCommand, state: LeadState): LeadEvent[] {
  switch (command.type) {
    case 'CreateLead':
      return createLead(command, state);
    case 'UpdateLeadDetails':
      return updateLeadDetails(command, state);
    case 'MoveLeadToStage':
      return moveLeadToStage(command, state);
    case 'ReopenLead':
      return reopenLead(command, state);
    case 'AssignLead':
      return assignLead(command, state);
    default: {
      const _exhaustive: never = command;
      throw new Error(`Unknown lead command ${JSON.stringify(_exhaustive)}`);
    }
  }
}
