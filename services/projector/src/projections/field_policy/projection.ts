import { FIELD_POLICY_STREAM } from '@leadline/contracts';
import { defineProjection } from '../../engine/types.ts';

/**
 * `read.field_policy`: the field permissions in force (one row, the latest FieldPolicyChanged,
 * with its stream version for If-Match). No row = the default policy (contracts/fieldPolicy.ts).
 */
export const fieldPolicyProjection = defineProjection({
  name: 'field_policy',
  version: 1,
  live: true,
  eventTypes: ['FieldPolicyChanged'],
  tables: [
    {
      name: 'field_policy',
      ddl: (t) => `CREATE TABLE ${t} (
        id text PRIMARY KEY,
        rules jsonb NOT NULL,
        custom_fields jsonb NOT NULL,
        version int NOT NULL,
        updated_at timestamptz NOT NULL,
        updated_by text NOT NULL
      )`,
    },
  ],
  async handle(ctx, event) {
    switch (event.type) {
      case 'FieldPolicyChanged': {
        if (event.streamId !== FIELD_POLICY_STREAM) return;
        await ctx.db.query(
          `INSERT INTO ${ctx.table('field_policy')} (id, rules, custom_fields, version, updated_at, updated_by) VALUES ('default', $1::jsonb, $2::jsonb, $3, $4::timestamptz, $5)
           ON CONFLICT (id) DO UPDATE SET rules = EXCLUDED.rules, custom_fields = EXCLUDED.custom_fields, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
           WHERE ${ctx.table('field_policy')}.version < EXCLUDED.version`,
          [JSON.stringify(event.data.rules), JSON.stringify(event.data.customFields), event.streamVersion, event.metadata.occurredAt, event.metadata.actorId],
        );
        ctx.changed('field_policy', 'default');
        return;
      }
      default: {
        const _exhaustive: never = event.type;
        return _exhaustive;
      }
    }
  },
});
