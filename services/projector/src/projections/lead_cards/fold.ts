import { personalLeadFields } from '@leadline/contracts';
import type { ProjectedEvent } from '../../engine/types.ts';
import { leadFieldColumns, parseFieldChange } from './fields.ts';
import type { LeadRow } from './rows.ts';

export type LeadCardsEvent = ProjectedEvent<
  | 'StageAdded'
  | 'StageUpdated'
  | 'LeadCreated'
  | 'LeadDetailsUpdated'
  | 'LeadMovedToStage'
  | 'LeadAssigned'
  | 'LeadDealValueChanged'
  | 'LeadExpectedCloseDateChanged'
  | 'LeadProbabilityChanged'
  | 'ActivityLogged'
  | 'ActivityCompleted'
  | 'LeadForgotten'
>;

/** The prior rows the fold starts from, changed in place; `touched` are the rows and stages to write. */
export type LeadCardsState = {
  leads: Map<string, LeadRow>;
  stages: Map<string, boolean>;
  touchedLeads: Set<string>;
  touchedStages: Set<string>;
};

/** uuids compare as PostgreSQL compares them: the fold keys and stores them in lower case. */
export const id = (value: string): string => value.toLowerCase();
const optionalId = (value: string | null): string | null => (value === null ? null : id(value));

/** A column value as the fold holds it: PostgreSQL's text input for it (jsonb as JSON text), integers as numbers. */
const columnValue = (column: string, value: unknown): string | number | null => {
  if (value === null || value === undefined) return null;
  if (column === 'custom_fields') return typeof value === 'string' ? value : JSON.stringify(value);
  return typeof value === 'number' && column === 'probability' ? value : String(value);
};

/**
 * Applies the events in order, as the per-event handler did: updates of an unknown lead change
 * nothing (but are still announced), activities touch only a lead that exists at that point.
 */
export function foldLeadCards(state: LeadCardsState, events: LeadCardsEvent[], changed: (key: string) => void): void {
  const { leads, stages } = state;
  const update = (event: ProjectedEvent & { data: { leadId: string } }, apply: (row: LeadRow) => void) => {
    const row = leads.get(id(event.data.leadId));
    if (row) {
      apply(row);
      row.version = event.streamVersion;
      row.updated_at = event.metadata.occurredAt;
      state.touchedLeads.add(row.id);
    }
    changed(event.data.leadId);
  };
  for (const event of events) {
    const at = event.metadata.occurredAt;
    switch (event.type) {
      case 'StageAdded': {
        const stageId = id(event.data.stageId);
        if (stages.has(stageId)) throw new Error(`StageAdded for stage ${stageId}, which exists`);
        stages.set(stageId, event.data.isWon);
        state.touchedStages.add(stageId);
        break;
      }
      case 'StageUpdated': {
        const stageId = id(event.data.stageId);
        if (!stages.has(stageId)) break;
        stages.set(stageId, event.data.isWon);
        state.touchedStages.add(stageId);
        break;
      }
      case 'LeadCreated': {
        const { leadId, pipelineId, stageId, rank, ownerId, fields } = event.data;
        if (leads.has(id(leadId))) throw new Error(`LeadCreated for lead ${leadId}, which exists`);
        const row: LeadRow = {
          id: id(leadId), pipeline_id: id(pipelineId), stage_id: id(stageId), rank, owner_id: optionalId(ownerId), lost_reason: null, won_at: null,
          stage_entered_at: at, version: event.streamVersion, created_at: at, updated_at: at, forgotten_at: null, activity: [],
        };
        for (const [field, column] of Object.entries(leadFieldColumns)) row[column] = columnValue(column, fields[field as keyof typeof fields]);
        leads.set(row.id, row);
        state.touchedLeads.add(row.id);
        changed(leadId);
        break;
      }
      case 'LeadDetailsUpdated': {
        const changes = Object.entries(event.data.changes).map(([field, change]) => parseFieldChange(field, change.to));
        update(event, (row) => {
          for (const { column, value } of changes) row[column] = columnValue(column, value);
        });
        break;
      }
      case 'LeadDealValueChanged':
        update(event, (row) => (row.deal_value = columnValue('deal_value', event.data.to)));
        break;
      case 'LeadExpectedCloseDateChanged':
        update(event, (row) => (row.expected_close_date = columnValue('expected_close_date', event.data.to)));
        break;
      case 'LeadProbabilityChanged':
        update(event, (row) => (row.probability = columnValue('probability', event.data.to)));
        break;
      case 'LeadAssigned':
        update(event, (row) => (row.owner_id = optionalId(event.data.ownerId)));
        break;
      case 'LeadMovedToStage':
        update(event, (row) => moveLead(row, event, stages));
        break;
      case 'LeadForgotten':
        // The placeholders the lead's erased events give (personal.ts): a rebuild makes the same row.
        update(event, (row) => {
          for (const [field, erased] of Object.entries(personalLeadFields)) row[leadFieldColumns[field as keyof typeof personalLeadFields]] = erased;
          row.forgotten_at = at;
        });
        break;
      case 'ActivityLogged':
      case 'ActivityCompleted': {
        // A call, email, meeting... logged or completed on the lead touches it (rotting), without
        // changing the lead itself (version and updated_at stay).
        const row = leads.get(id(event.data.leadId));
        if (!row) break;
        row.activity.push(at);
        state.touchedLeads.add(row.id);
        changed(event.data.leadId);
        break;
      }
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  }
}

/**
 * Entering another stage resets stage_entered_at; a reorder inside the same stage keeps it, and
 * keeps the lost reason or won time unless the move brings new ones. The command side sets
 * lostReason exactly for lost stages; a won stage is known from StageAdded (or a non-null wonValue).
 */
function moveLead(row: LeadRow, event: ProjectedEvent<'LeadMovedToStage'>, stages: Map<string, boolean>): void {
  const { pipelineId, rank, lostReason, wonValue } = event.data;
  const toStageId = id(event.data.toStageId);
  const at = event.metadata.occurredAt;
  const same = row.stage_id === toStageId;
  const won = (stages.get(toStageId) ?? false) || wonValue !== null;
  if (!same) row.stage_entered_at = at;
  row.lost_reason = same ? (lostReason ?? row.lost_reason) : lostReason;
  row.won_at = !won ? null : same ? (row.won_at ?? at) : at;
  row.stage_id = toStageId;
  row.pipeline_id = id(pipelineId);
  row.rank = rank;
}
