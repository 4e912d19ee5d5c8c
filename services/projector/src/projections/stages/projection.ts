import { defineProjection } from '../../engine/types.ts';

/** `read.pipelines` and `read.stages`: the board's columns. */
export const stagesProjection = defineProjection({
  name: 'stages',
  version: 1,
  eventTypes: ['PipelineCreated', 'StageAdded'],
  tables: [
    {
      name: 'pipelines',
      ddl: (t) => `CREATE TABLE ${t} (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        is_default boolean NOT NULL,
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
        probability integer NOT NULL
      )`,
      indexes: (t) => [`CREATE INDEX ON ${t} (pipeline_id, order_position)`],
    },
  ],
  async handle(ctx, event) {
    switch (event.type) {
      case 'PipelineCreated': {
        const { pipelineId, name, isDefault } = event.data;
        await ctx.db.query(`INSERT INTO ${ctx.table('pipelines')} (id, name, is_default, created_at) VALUES ($1, $2, $3, $4::timestamptz)`, [
          pipelineId,
          name,
          isDefault,
          event.metadata.occurredAt,
        ]);
        ctx.changed('pipelines', pipelineId);
        return;
      }
      case 'StageAdded': {
        const s = event.data;
        await ctx.db.query(
          `INSERT INTO ${ctx.table('stages')} (id, pipeline_id, name, color, order_position, is_active, is_won, is_lost, probability)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [s.stageId, s.pipelineId, s.name, s.color, s.orderPosition, s.isActive, s.isWon, s.isLost, s.probability],
        );
        ctx.changed('stages', s.stageId);
        return;
      }
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
});
