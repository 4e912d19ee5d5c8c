import type { ProjectedEvent } from '../../engine/types.ts';
import { parseFieldChange } from '../lead_cards/fields.ts';

export type StageTotalsEvent = ProjectedEvent<'StageAdded' | 'StageUpdated' | 'LeadCreated' | 'LeadDetailsUpdated' | 'LeadMovedToStage' | 'LeadDealValueChanged' | 'LeadProbabilityChanged'>;

/** A `stage_totals_leads` row; deal_value as PostgreSQL's text of it (or the event's number as text). */
export type LeadRow = { stage_id: string; deal_value: string | null; probability: number | null };
export type StageRow = { pipeline_id: string; probability: number };

/**
 * One lead's share of a stage's totals, added (n 1) or removed (n -1), with the probability that
 * weighs it; the value is computed in SQL (exact numeric). Phase 0 counts fully; phase 1 counts in
 * lead_count and total_value only (it came before the stage's last re-weighing, which replaced the
 * weighted value); phase 2 is a lead of the stage at that re-weighing.
 */
export type Share = { stage_id: string; phase: 0 | 1 | 2; n: 1 | -1; deal_value: string | null; probability: number | null };

/** What the batch does to one stage's totals row. `reweighed`: the probability of its last StageUpdated. */
export type StageOps = { added: boolean; reweighed: number | null; shares: Share[] };

export type StageTotalsState = {
  leads: Map<string, LeadRow>;
  stages: Map<string, StageRow>;
  touchedLeads: Set<string>;
  touchedStages: Set<string>;
  totals: Map<string, StageOps>;
};

export const id = (value: string): string => value.toLowerCase();
const money = (value: number | null): string | null => (value === null ? null : String(value));

/**
 * Applies the events in order, as the per-event handler did: a share counts only for a stage that
 * exists at that point (a totals row to add it to), weighed by the stage's probability then.
 */
export function foldStageTotals(state: StageTotalsState, events: StageTotalsEvent[], changed: (stageId: string) => void): void {
  const { leads, stages, totals } = state;
  const opsOf = (stageId: string): StageOps => {
    let ops = totals.get(stageId);
    if (!ops) totals.set(stageId, (ops = { added: false, reweighed: null, shares: [] }));
    return ops;
  };
  const addShare = (lead: LeadRow, n: 1 | -1) => {
    const stage = stages.get(lead.stage_id);
    if (!stage) return;
    opsOf(lead.stage_id).shares.push({ stage_id: lead.stage_id, phase: 0, n, deal_value: lead.deal_value, probability: lead.probability ?? stage.probability });
    changed(lead.stage_id);
  };
  const changeLead = (leadId: string, change: (lead: LeadRow) => void) => {
    const lead = leads.get(id(leadId));
    if (!lead) return;
    addShare(lead, -1);
    change(lead);
    addShare(lead, 1);
    state.touchedLeads.add(id(leadId));
  };
  for (const event of events) {
    switch (event.type) {
      case 'StageAdded': {
        const stageId = id(event.data.stageId);
        if (stages.has(stageId)) throw new Error(`StageAdded for stage ${stageId}, which exists`);
        stages.set(stageId, { pipeline_id: id(event.data.pipelineId), probability: event.data.probability });
        state.touchedStages.add(stageId);
        opsOf(stageId).added = true;
        changed(event.data.stageId);
        break;
      }
      case 'StageUpdated': {
        // A new stage probability re-weighs every lead of the stage that follows it.
        const stageId = id(event.data.stageId);
        const stage = stages.get(stageId);
        changed(event.data.stageId);
        if (!stage) break;
        const probability = event.data.probability;
        stage.probability = probability;
        state.touchedStages.add(stageId);
        const ops = opsOf(stageId);
        ops.reweighed = probability;
        ops.shares = ops.shares.filter((s) => s.phase !== 2).map((s) => ({ ...s, phase: 1 }));
        for (const lead of leads.values()) {
          if (lead.stage_id === stageId) ops.shares.push({ stage_id: stageId, phase: 2, n: 1, deal_value: lead.deal_value, probability: lead.probability ?? probability });
        }
        break;
      }
      case 'LeadCreated': {
        const { leadId, stageId, fields } = event.data;
        if (leads.has(id(leadId))) throw new Error(`LeadCreated for lead ${leadId}, which exists`);
        const lead = { stage_id: id(stageId), deal_value: money(fields.dealValue), probability: fields.probability };
        leads.set(id(leadId), lead);
        state.touchedLeads.add(id(leadId));
        addShare(lead, 1);
        break;
      }
      case 'LeadDealValueChanged':
        changeLead(event.data.leadId, (lead) => (lead.deal_value = money(event.data.to)));
        break;
      case 'LeadProbabilityChanged':
        changeLead(event.data.leadId, (lead) => (lead.probability = event.data.to));
        break;
      case 'LeadDetailsUpdated': {
        const changes = Object.entries(event.data.changes)
          .map(([field, change]) => parseFieldChange(field, change.to))
          .filter((c) => c.field === 'dealValue' || c.field === 'probability');
        if (changes.length === 0) break;
        changeLead(event.data.leadId, (lead) => {
          for (const c of changes) {
            if (c.field === 'dealValue') lead.deal_value = money(c.value as number | null);
            else lead.probability = c.value as number | null;
          }
        });
        break;
      }
      case 'LeadMovedToStage': {
        const { leadId, fromStageId, toStageId } = event.data;
        if (fromStageId === toStageId) break;
        changeLead(leadId, (lead) => (lead.stage_id = id(toStageId)));
        break;
      }
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  }
}
