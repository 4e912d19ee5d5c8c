import { stayLengthBucket } from '@leadline/contracts';
import type { ProjectedEvent } from '../../engine/types.ts';
import { utcDay, type Rollups } from './rollups.ts';

/** A row of `conversion_leads`; times as text (exact), `reach` stage → ISO time of the first entry. */
export type ConversionLead = {
  lead_id: string;
  pipeline_id: string;
  entered_at: string;
  entry_owner_id: string | null;
  owner_id: string | null;
  stage_id: string | null;
  stage_entered_at: string | null;
  stay_owner_id: string | null;
  reach: Record<string, string>;
  reached: string[];
  reached_through: string;
};

/** A row with its current stay's start in milliseconds, as `(date_part('epoch', stage_entered_at) * 1000)::float8` reads it. */
export type Held = { row: ConversionLead; enteredMs: number | null };

type ConversionEvent = ProjectedEvent<'LeadCreated' | 'LeadAssigned' | 'LeadMovedToStage'>;

/** uuids as PostgreSQL prints them: the keys the rows read back are matched by. */
export const id = (uuid: string): string => uuid.toLowerCase();

/**
 * An instant as PostgreSQL holds it (microseconds): its epoch milliseconds as the per-event handler
 * read them back from the table, and the ISO text (UTC, milliseconds) that `reach` keeps.
 */
export function instant(at: string): { ms: number; iso: string } {
  const digits = /T\d\d:\d\d:\d\d\.(\d+)/.exec(at)?.[1] ?? '';
  const seconds = Date.parse(at.replace(/(T\d\d:\d\d:\d\d)\.\d+/, '$1'));
  const fraction = digits ? Math.round(Number(`0.${digits}`) * 1e6) : 0;
  const micros = seconds * 1000 + fraction;
  return { ms: (micros / 1e6) * 1000, iso: new Date(seconds + Math.floor(fraction / 1000)).toISOString() };
}

/** Each lead's rows (one per pipeline it entered), folded event by event, and the rows changed. */
export class ConversionFold {
  private readonly leads = new Map<string, Map<string, Held>>();
  readonly changed = new Set<Held>();

  constructor(private readonly rollups: Rollups) {}

  load(rows: (ConversionLead & { entered_ms: number | null })[]): void {
    for (const { entered_ms, ...row } of rows) this.rowsOf(row.lead_id).set(id(row.pipeline_id), { row, enteredMs: entered_ms });
  }

  apply(event: ConversionEvent): void {
    const at = event.metadata.occurredAt;
    const atMs = Date.parse(at);
    switch (event.type) {
      case 'LeadCreated': {
        const { leadId, pipelineId, stageId, ownerId } = event.data;
        this.enter(leadId, pipelineId, stageId, ownerId, at);
        this.rollups.entry({ pipelineId, ownerId, day: utcDay(atMs), fromStageId: null, stageId });
        return;
      }
      case 'LeadAssigned':
        for (const held of this.rowsOf(event.data.leadId).values()) {
          if (held.row.stage_id === null) continue;
          held.row.owner_id = event.data.ownerId;
          this.changed.add(held);
        }
        return;
      case 'LeadMovedToStage': {
        const { leadId, pipelineId, fromStageId, toStageId } = event.data;
        if (fromStageId === toStageId) return; // a reorder within the column
        const rows = this.rowsOf(leadId);
        const current = [...rows.values()].find((h) => h.row.stage_id !== null);
        if (!current) return; // no LeadCreated before it: nothing to count (as the other projections, which update no row)
        const cur = { ...current.row, enteredMs: current.enteredMs };
        const next = rows.get(id(pipelineId));
        if (next && next.row.stage_id !== null) this.stay(next, toStageId, next.row.owner_id, at);
        this.rollups.stay({ pipelineId: cur.pipeline_id, ownerId: cur.stay_owner_id, day: utcDay(atMs), stageId: cur.stage_id!, bucket: stayLengthBucket((atMs - (cur.enteredMs ?? 0)) / 1000) });
        if (id(cur.pipeline_id) !== id(pipelineId)) {
          Object.assign(current.row, { stage_id: null, stage_entered_at: null, stay_owner_id: null });
          current.enteredMs = null;
          this.changed.add(current);
          this.enter(leadId, pipelineId, toStageId, cur.owner_id, at);
        }
        this.rollups.entry({ pipelineId, ownerId: cur.owner_id, day: utcDay(atMs), fromStageId, stageId: toStageId });
        return;
      }
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  }

  /** The lead enters a pipeline: its first time there, or back into one it left (its first entry and reach kept). */
  private enter(leadId: string, pipelineId: string, stageId: string, ownerId: string | null, at: string): void {
    const rows = this.rowsOf(leadId);
    const held = rows.get(id(pipelineId));
    if (held) {
      held.row.owner_id = ownerId;
      return this.stay(held, stageId, ownerId, at);
    }
    const { ms, iso } = instant(at);
    const row: ConversionLead = {
      lead_id: id(leadId),
      pipeline_id: id(pipelineId),
      entered_at: at,
      entry_owner_id: ownerId,
      owner_id: ownerId,
      stage_id: id(stageId),
      stage_entered_at: at,
      stay_owner_id: ownerId,
      reach: { [id(stageId)]: iso },
      reached: [id(stageId)],
      reached_through: at,
    };
    const created = { row, enteredMs: ms };
    rows.set(id(pipelineId), created);
    this.changed.add(created);
  }

  /** A new stay in `stageId` from `at`, and its first reach when the lead was never there. */
  private stay(held: Held, stageId: string, stayOwnerId: string | null, at: string): void {
    const { row } = held;
    const stage = id(stageId);
    const { ms, iso } = instant(at);
    const wasReached = row.reached.includes(stage);
    if (!Object.hasOwn(row.reach, stage)) row.reach = { ...row.reach, [stage]: iso };
    if (!wasReached) {
      row.reached = [...row.reached, stage].sort();
      row.reached_through = at;
    }
    Object.assign(row, { stage_id: stage, stage_entered_at: at, stay_owner_id: stayOwnerId });
    held.enteredMs = ms;
    this.changed.add(held);
  }

  private rowsOf(leadId: string): Map<string, Held> {
    let rows = this.leads.get(id(leadId));
    if (!rows) this.leads.set(id(leadId), (rows = new Map()));
    return rows;
  }
}
