import { stayLengthBucket } from '@leadline/contracts';
import { defineProjection, type HandlerContext } from '../../engine/types.ts';
import { countEntry, countStay, utcDay } from './rollups.ts';

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
 * Times are the events' occurredAt, so a rebuild gives identical rows.
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
  async handle(ctx, event) {
    const at = event.metadata.occurredAt;
    const atMs = Date.parse(at);
    switch (event.type) {
      case 'LeadCreated': {
        const { leadId, pipelineId, stageId, ownerId } = event.data;
        await enterPipeline(ctx, { leadId, pipelineId, stageId, ownerId, at });
        countEntry(ctx, { pipelineId, ownerId, day: utcDay(atMs), fromStageId: null, stageId });
        return;
      }
      case 'LeadAssigned':
        await ctx.db.query(`UPDATE ${ctx.table('conversion_leads')} SET owner_id = $2 WHERE lead_id = $1 AND stage_id IS NOT NULL`, [event.data.leadId, event.data.ownerId]);
        return;
      case 'LeadMovedToStage': {
        const { leadId, pipelineId, fromStageId, toStageId } = event.data;
        if (fromStageId === toStageId) return; // a reorder within the column
        const t = ctx.table('conversion_leads');
        // The current stay (read before the update in the same statement) and, when the lead
        // stays in its pipeline, the next one.
        const { rows } = await ctx.db.query<{ pipeline_id: string; stage_id: string; entered_ms: number; stay_owner_id: string | null; owner_id: string | null }>(
          `WITH cur AS (SELECT * FROM ${t} WHERE lead_id = $1 AND stage_id IS NOT NULL),
                next AS (UPDATE ${t} AS r SET stage_id = $3::uuid, stage_entered_at = $4::timestamptz, stay_owner_id = r.owner_id, ${REACH('r', '$3', '$4')}
                         WHERE r.lead_id = $1 AND r.pipeline_id = $2 AND r.stage_id IS NOT NULL)
           SELECT pipeline_id, stage_id, (date_part('epoch', stage_entered_at) * 1000)::float8 AS entered_ms, stay_owner_id, owner_id FROM cur`,
          [leadId, pipelineId, toStageId, at],
        );
        const cur = rows[0];
        if (!cur) return; // no LeadCreated before it: nothing to count (as the other projections, which update no row)
        countStay(ctx, { pipelineId: cur.pipeline_id, ownerId: cur.stay_owner_id, day: utcDay(atMs), stageId: cur.stage_id, bucket: stayLengthBucket((atMs - cur.entered_ms) / 1000) });
        if (cur.pipeline_id !== pipelineId) {
          await ctx.db.query(`UPDATE ${t} SET stage_id = NULL, stage_entered_at = NULL, stay_owner_id = NULL WHERE lead_id = $1 AND pipeline_id = $2`, [leadId, cur.pipeline_id]);
          await enterPipeline(ctx, { leadId, pipelineId, stageId: toStageId, ownerId: cur.owner_id, at });
        }
        countEntry(ctx, { pipelineId, ownerId: cur.owner_id, day: utcDay(atMs), fromStageId, stageId: toStageId });
        return;
      }
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
});

/** SET assignments adding a first entry into stage `$stage` at `$at` to a row's reach (kept when it was reached before). */
const REACH = (row: string, stage: string, at: string) => `
  reach = CASE WHEN ${row}.reach ? ${stage}::uuid::text THEN ${row}.reach ELSE ${row}.reach || jsonb_build_object(${stage}::uuid::text, ${ISO(at)}) END,
  reached = CASE WHEN ${stage}::uuid = ANY(${row}.reached) THEN ${row}.reached ELSE (SELECT array_agg(x ORDER BY x) FROM unnest(array_append(${row}.reached, ${stage}::uuid)) x) END,
  reached_through = CASE WHEN ${stage}::uuid = ANY(${row}.reached) THEN ${row}.reached_through ELSE ${at}::timestamptz END`;

/** An instant as the ISO text the events carry (UTC, milliseconds). */
const ISO = (at: string) => `to_char(${at}::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The lead enters a pipeline: its first time there, or back into one it left (its first entry and reach kept). */
async function enterPipeline(ctx: HandlerContext, e: { leadId: string; pipelineId: string; stageId: string; ownerId: string | null; at: string }): Promise<void> {
  const t = ctx.table('conversion_leads');
  await ctx.db.query(
    `INSERT INTO ${t} AS t (lead_id, pipeline_id, entered_at, entry_owner_id, owner_id, stage_id, stage_entered_at, stay_owner_id, reach, reached, reached_through)
     VALUES ($1, $2, $4::timestamptz, $5::uuid, $5::uuid, $3::uuid, $4::timestamptz, $5::uuid, jsonb_build_object($3::uuid::text, ${ISO('$4')}), ARRAY[$3::uuid], $4::timestamptz)
     ON CONFLICT (lead_id, pipeline_id) DO UPDATE SET stage_id = $3::uuid, stage_entered_at = $4::timestamptz, owner_id = $5::uuid, stay_owner_id = $5::uuid, ${REACH('t', '$3', '$4')}`,
    [e.leadId, e.pipelineId, e.stageId, e.at, e.ownerId],
  );
}
