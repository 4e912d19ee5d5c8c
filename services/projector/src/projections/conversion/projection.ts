import { defineProjection, type HandlerContext } from '../../engine/types.ts';
import { ConversionFold, id, type ConversionLead } from './fold.ts';
import { Rollups } from './rollups.ts';

/**
 * What `GET /api/pipeline/conversion-rates` reads, kept small enough to answer in milliseconds over
 * millions of recorded moves (docs/pipelines.md):
 * - `conversion_leads`: one row per lead and pipeline it entered: when and under which owner it
 *   entered, where it is now (its current stay: stage, since when, owner at entry), and `reach`,
 *   the first time it entered each stage of that pipeline (`reached`: those stage ids, sorted;
 *   `reached_through`: the latest of those times);
 * - `conversion_entries`: entries per UTC day, owner (and all owners), from-stage and stage;
 * - `conversion_stay_lengths`: stays per UTC day they ended, owner (and all owners), stage and
 *   length bucket (contracts' stayLengthBucket).
 * Times are the events' occurredAt, so a rebuild gives identical rows. A batch reads its leads' rows
 * once, folds its events in order in memory (fold.ts) and writes each table with one statement.
 */
export const conversionProjection = defineProjection({
  name: 'conversion',
  version: 1,
  gatherMs: 250,
  eventTypes: ['LeadCreated', 'LeadAssigned', 'LeadMovedToStage'],
  tables: [
    {
      name: 'conversion_leads',
      ddl: (t) => `CREATE TABLE ${t} (
        lead_id uuid NOT NULL,
        pipeline_id uuid NOT NULL,
        entered_at timestamptz NOT NULL,
        entry_owner_id uuid,
        owner_id uuid,
        stage_id uuid,
        stage_entered_at timestamptz,
        stay_owner_id uuid,
        reach jsonb NOT NULL,
        reached uuid[] NOT NULL,
        reached_through timestamptz NOT NULL,
        PRIMARY KEY (lead_id, pipeline_id)
      )`,
      indexes: (t) => [`CREATE INDEX ON ${t} (pipeline_id, entered_at)`],
    },
    {
      name: 'conversion_entries',
      ddl: (t) => `CREATE TABLE ${t} (
        pipeline_id uuid NOT NULL,
        owner_key uuid NOT NULL,
        day date NOT NULL,
        from_key uuid NOT NULL,
        stage_id uuid NOT NULL,
        entries integer NOT NULL,
        PRIMARY KEY (pipeline_id, owner_key, day, from_key, stage_id)
      )`,
    },
    {
      name: 'conversion_stay_lengths',
      ddl: (t) => `CREATE TABLE ${t} (
        pipeline_id uuid NOT NULL,
        owner_key uuid NOT NULL,
        day date NOT NULL,
        stage_id uuid NOT NULL,
        bucket smallint NOT NULL,
        stays integer NOT NULL,
        PRIMARY KEY (pipeline_id, owner_key, day, stage_id, bucket)
      )`,
    },
  ],
  async handleBatch(ctx, events) {
    const rollups = new Rollups();
    const fold = new ConversionFold(rollups);
    fold.load(await readLeads(ctx, new Set(events.map((e) => id(e.data.leadId)))));
    for (const e of events) fold.apply(e);
    await writeLeads(ctx, [...fold.changed].map((held) => held.row));
    await rollups.write(ctx);
  },
});

const LEAD_COLUMNS =
  'lead_id uuid, pipeline_id uuid, entered_at timestamptz, entry_owner_id uuid, owner_id uuid, stage_id uuid, stage_entered_at timestamptz, stay_owner_id uuid, reach jsonb, reached uuid[], reached_through timestamptz';
const NAMES = LEAD_COLUMNS.split(', ').map((c) => c.split(' ')[0]);

/** Every row of the batch's leads (one per pipeline each entered), times as exact text. */
async function readLeads(ctx: HandlerContext, leadIds: Set<string>): Promise<(ConversionLead & { entered_ms: number | null })[]> {
  const { rows } = await ctx.db.query(
    `SELECT lead_id, pipeline_id, entered_at::text AS entered_at, entry_owner_id, owner_id, stage_id, stage_entered_at::text AS stage_entered_at, stay_owner_id,
            reach, reached::text[] AS reached, reached_through::text AS reached_through, (date_part('epoch', stage_entered_at) * 1000)::float8 AS entered_ms
     FROM ${ctx.table('conversion_leads')} WHERE lead_id = ANY($1::uuid[])`,
    [[...leadIds]],
  );
  return rows;
}

async function writeLeads(ctx: HandlerContext, rows: ConversionLead[]): Promise<void> {
  if (rows.length === 0) return;
  await ctx.db.query(
    `INSERT INTO ${ctx.table('conversion_leads')} (${NAMES.join(', ')})
     SELECT ${NAMES.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${LEAD_COLUMNS})
     ON CONFLICT (lead_id, pipeline_id) DO UPDATE SET ${NAMES.slice(2).map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,
    [JSON.stringify(rows)],
  );
}
