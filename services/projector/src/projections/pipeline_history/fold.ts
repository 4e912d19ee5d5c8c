import type { ProjectedEvent } from '../../engine/types.ts';
import { parseFieldChange } from '../lead_cards/fields.ts';
import { Versions, type HistoryTable } from './versions.ts';

export type LeadVersion = {
  lead_id: string;
  version: number;
  valid_from: string;
  valid_to: string | null;
  pipeline_id: string;
  stage_id: string;
  rank: string;
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  /** numeric as text: exact. */
  deal_value: string | null;
  probability: number | null;
  owner_id: string | null;
  stage_entered_at: string;
  touched_at: string;
};

export type StageStay = {
  lead_id: string;
  version: number;
  pipeline_id: string;
  stage_id: string;
  from_stage_id: string | null;
  owner_id: string | null;
  entered_at: string;
  left_at: string | null;
};

export type StageVersion = {
  stage_id: string;
  version: number;
  valid_from: string;
  valid_to: string | null;
  deleted: boolean;
  pipeline_id: string;
  name: string;
  color: string;
  order_position: number;
  is_active: boolean;
  is_won: boolean;
  is_lost: boolean;
  probability: number;
  rotting_days: number | null;
};

const table = (name: string, key: string, end: string, columns: string): HistoryTable => ({
  name,
  key,
  end,
  primaryKey: [key, 'version'],
  columns: columns.split(', ').map((c) => c.split(' ') as [string, string]),
});

export const LEAD_VERSIONS = table(
  'lead_versions',
  'lead_id',
  'valid_to',
  'lead_id uuid, version int, valid_from timestamptz, valid_to timestamptz, pipeline_id uuid, stage_id uuid, rank text, first_name text, last_name text, company text, deal_value numeric, probability int, owner_id uuid, stage_entered_at timestamptz, touched_at timestamptz',
);
export const STAGE_STAYS = table('stage_stays', 'lead_id', 'left_at', 'lead_id uuid, version int, pipeline_id uuid, stage_id uuid, from_stage_id uuid, owner_id uuid, entered_at timestamptz, left_at timestamptz');
export const STAGE_VERSIONS = table(
  'stage_versions',
  'stage_id',
  'valid_to',
  'stage_id uuid, version int, valid_from timestamptz, valid_to timestamptz, deleted boolean, pipeline_id uuid, name text, color text, order_position int, is_active boolean, is_won boolean, is_lost boolean, probability int, rotting_days int',
);

export type HistoryEvent = ProjectedEvent<
  | 'StageAdded'
  | 'StageUpdated'
  | 'StagesReordered'
  | 'StageDeleted'
  | 'LeadCreated'
  | 'LeadDetailsUpdated'
  | 'LeadMovedToStage'
  | 'LeadAssigned'
  | 'LeadDealValueChanged'
  | 'LeadExpectedCloseDateChanged'
  | 'LeadProbabilityChanged'
>;

export type History = { leads: Versions<LeadVersion>; stays: Versions<StageStay>; stages: Versions<StageVersion> };

/** uuids as PostgreSQL prints them: the keys the rows read back are matched by. */
export const id = (uuid: string): string => uuid.toLowerCase();

const DETAIL_COLUMNS = new Set(['first_name', 'last_name', 'company', 'deal_value', 'probability']);

/** Applies one event to the open rows, in log order: each change closes the open version and opens a copy. */
export function foldEvent(h: History, event: HistoryEvent): void {
  const at = event.metadata.occurredAt;
  const version = event.streamVersion;
  const nextLead = (leadId: string, changes: Partial<LeadVersion>) => {
    for (const old of h.leads.close(id(leadId), at)) h.leads.add({ ...old, version, valid_from: at, valid_to: null, ...changes, touched_at: at });
  };
  const nextStage = (stageId: string, changes: Partial<StageVersion>) => {
    for (const old of h.stages.close(id(stageId), at)) h.stages.add({ ...old, version, valid_from: at, valid_to: null, ...changes });
  };
  switch (event.type) {
    case 'StageAdded': {
      const s = event.data;
      h.stages.add({
        stage_id: id(s.stageId),
        version,
        valid_from: at,
        valid_to: null,
        deleted: false,
        pipeline_id: s.pipelineId,
        name: s.name,
        color: s.color,
        order_position: s.orderPosition,
        is_active: s.isActive,
        is_won: s.isWon,
        is_lost: s.isLost,
        probability: s.probability,
        rotting_days: s.rottingDays,
      });
      return;
    }
    case 'StageUpdated': {
      const s = event.data;
      return nextStage(s.stageId, { name: s.name, color: s.color, is_active: s.isActive, is_won: s.isWon, is_lost: s.isLost, probability: s.probability, rotting_days: s.rottingDays });
    }
    case 'StagesReordered':
      for (const [position, stageId] of event.data.stageIds.entries()) nextStage(stageId, { order_position: position });
      return;
    case 'StageDeleted':
      return nextStage(event.data.stageId, { deleted: true });
    case 'LeadCreated': {
      const { leadId, pipelineId, stageId, rank, ownerId, fields: f } = event.data;
      const dealValue = f.dealValue === null ? null : String(f.dealValue);
      h.leads.add({
        lead_id: id(leadId),
        version,
        valid_from: at,
        valid_to: null,
        pipeline_id: pipelineId,
        stage_id: stageId,
        rank,
        first_name: f.firstName,
        last_name: f.lastName,
        company: f.company,
        deal_value: dealValue,
        probability: f.probability,
        owner_id: ownerId,
        stage_entered_at: at,
        touched_at: at,
      });
      h.stays.add({ lead_id: id(leadId), version, pipeline_id: pipelineId, stage_id: stageId, from_stage_id: null, owner_id: ownerId, entered_at: at, left_at: null });
      return;
    }
    case 'LeadDetailsUpdated': {
      const changes: Record<string, unknown> = {};
      for (const [field, change] of Object.entries(event.data.changes)) {
        const parsed = parseFieldChange(field, change.to);
        if (!DETAIL_COLUMNS.has(parsed.column)) continue;
        changes[parsed.column] = parsed.column === 'deal_value' && parsed.value !== null ? String(parsed.value) : parsed.value;
      }
      return nextLead(event.data.leadId, changes);
    }
    case 'LeadDealValueChanged':
      return nextLead(event.data.leadId, { deal_value: event.data.to === null ? null : String(event.data.to) });
    case 'LeadProbabilityChanged':
      return nextLead(event.data.leadId, { probability: event.data.to });
    case 'LeadExpectedCloseDateChanged':
      return nextLead(event.data.leadId, {});
    case 'LeadAssigned':
      return nextLead(event.data.leadId, { owner_id: event.data.ownerId });
    case 'LeadMovedToStage': {
      const { leadId, pipelineId, fromStageId, toStageId, rank } = event.data;
      const entered = fromStageId !== toStageId;
      nextLead(leadId, { pipeline_id: pipelineId, stage_id: toStageId, rank, ...(entered ? { stage_entered_at: at } : {}) });
      if (!entered) return;
      h.stays.close(id(leadId), at);
      for (const v of h.leads.current(id(leadId))) {
        h.stays.add({ lead_id: id(leadId), version, pipeline_id: pipelineId, stage_id: toStageId, from_stage_id: fromStageId, owner_id: v.owner_id, entered_at: at, left_at: null });
      }
      return;
    }
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}
