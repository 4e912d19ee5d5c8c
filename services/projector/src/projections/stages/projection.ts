import { defineProjection, type HandlerContext } from '../../engine/types.ts';

/**
 * `read.pipelines` and `read.stages`: the pipelines, their settings and the board's columns.
 * A deleted stage's row is removed (its history stays in `pipeline_history`); `version` is the
 * pipeline stream's version, which the web app sends as If-Match when it reorders.
 */
export const stagesProjection = defineProjection({
  name: 'stages',
  version: 2,
  live: true,
  eventTypes: ['PipelineCreated', 'StageAdded', 'StageUpdated', 'StagesReordered', 'StageDeleted', 'PipelineRenamed', 'PipelineArchived', 'LostReasonsSet'],
  tables: [
    {
      name: 'pipelines',
      ddl: (t) => `CREATE TABLE ${t} (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        is_default boolean NOT NULL,
        is_archived boolean NOT NULL DEFAULT false,
        lost_reasons jsonb NOT NULL DEFAULT '[]'::jsonb,
        allow_free_text_lost_reason boolean NOT NULL DEFAULT true,
        version integer NOT NULL,
        created_at timestamptz NOT NULL
      )`,
    },
    {
      name: 'stages',
      ddl: (t) => `CREATE TABLE ${t} (
        id uuid PRIMARY KEY,
        pipeline_id uuid NOT NULL,
        name text NOT NULL,
        color text NOT NULL,
        order_position integer NOT NULL,
        is_active boolean NOT NULL,
        is_won boolean NOT NULL,
        is_lost boolean NOT NULL,
        probability integer NOT NULL,
        rotting_days integer
      )`,
      indexes: (t) => [`CREATE INDEX ON ${t} (pipeline_id, order_position)`],
    },
  ],
  async handle(ctx, event) {
    const pipelineId = event.data.pipelineId;
    switch (event.type) {
      case 'PipelineCreated': {
        const { name, isDefault } = event.data;
        await ctx.db.query(`INSERT INTO ${ctx.table('pipelines')} (id, name, is_default, version, created_at) VALUES ($1, $2, $3, $4, $5::timestamptz)`, [
          pipelineId,
          name,
          isDefault,
          event.streamVersion,
          event.metadata.occurredAt,
        ]);
        ctx.changed('pipelines', pipelineId);
        return;
      }
      case 'StageAdded': {
        const s = event.data;
        await ctx.db.query(
          `INSERT INTO ${ctx.table('stages')} (id, pipeline_id, name, color, order_position, is_active, is_won, is_lost, probability, rotting_days)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [s.stageId, s.pipelineId, s.name, s.color, s.orderPosition, s.isActive, s.isWon, s.isLost, s.probability, s.rottingDays],
        );
        ctx.changed('stages', s.stageId);
        return touch(ctx, pipelineId, event.streamVersion);
      }
      case 'StageUpdated': {
        const s = event.data;
        await ctx.db.query(
          `UPDATE ${ctx.table('stages')} SET name = $2, color = $3, is_active = $4, is_won = $5, is_lost = $6, probability = $7, rotting_days = $8 WHERE id = $1`,
          [s.stageId, s.name, s.color, s.isActive, s.isWon, s.isLost, s.probability, s.rottingDays],
        );
        ctx.changed('stages', s.stageId);
        return touch(ctx, pipelineId, event.streamVersion);
      }
      case 'StagesReordered': {
        await ctx.db.query(
          `UPDATE ${ctx.table('stages')} s SET order_position = o.position - 1
           FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, position) WHERE s.id = o.id`,
          [event.data.stageIds],
        );
        for (const id of event.data.stageIds) ctx.changed('stages', id);
        return touch(ctx, pipelineId, event.streamVersion);
      }
      case 'StageDeleted': {
        await ctx.db.query(`DELETE FROM ${ctx.table('stages')} WHERE id = $1`, [event.data.stageId]);
        ctx.changed('stages', event.data.stageId);
        return touch(ctx, pipelineId, event.streamVersion);
      }
      case 'PipelineRenamed':
        await ctx.db.query(`UPDATE ${ctx.table('pipelines')} SET name = $2 WHERE id = $1`, [pipelineId, event.data.name]);
        return touch(ctx, pipelineId, event.streamVersion);
      case 'PipelineArchived':
        await ctx.db.query(`UPDATE ${ctx.table('pipelines')} SET is_archived = true WHERE id = $1`, [pipelineId]);
        return touch(ctx, pipelineId, event.streamVersion);
      case 'LostReasonsSet':
        await ctx.db.query(`UPDATE ${ctx.table('pipelines')} SET lost_reasons = $2::jsonb, allow_free_text_lost_reason = $3 WHERE id = $1`, [
          pipelineId,
          JSON.stringify(event.data.reasons),
          event.data.allowFreeText,
        ]);
        return touch(ctx, pipelineId, event.streamVersion);
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
});

async function touch(ctx: HandlerContext, pipelineId: string, version: number): Promise<void> {
  await ctx.db.query(`UPDATE ${ctx.table('pipelines')} SET version = $2 WHERE id = $1`, [pipelineId, version]);
  ctx.changed('pipelines', pipelineId);
}
