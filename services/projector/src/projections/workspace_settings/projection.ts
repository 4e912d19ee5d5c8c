import { WORKSPACE_STREAM } from '@leadline/contracts';
import { defineProjection } from '../../engine/types.ts';

/**
 * `read.workspace_settings`: the workspace settings in force (one row, the latest
 * WorkspaceSettingsChanged, with its stream version for If-Match). No row = the defaults (USD).
 */
export const workspaceSettingsProjection = defineProjection({
  name: 'workspace_settings',
  version: 1,
  live: true,
  eventTypes: ['WorkspaceSettingsChanged'],
  tables: [
    {
      name: 'workspace_settings',
      ddl: (t) => `CREATE TABLE ${t} (
        id text PRIMARY KEY,
        currency text NOT NULL,
        version int NOT NULL,
        updated_at timestamptz NOT NULL,
        updated_by text NOT NULL
      )`,
    },
  ],
  async handle(ctx, event) {
    switch (event.type) {
      case 'WorkspaceSettingsChanged': {
        if (event.streamId !== WORKSPACE_STREAM) return;
        await ctx.db.query(
          `INSERT INTO ${ctx.table('workspace_settings')} (id, currency, version, updated_at, updated_by) VALUES ('default', $1, $2, $3::timestamptz, $4)
           ON CONFLICT (id) DO UPDATE SET currency = EXCLUDED.currency, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
           WHERE ${ctx.table('workspace_settings')}.version < EXCLUDED.version`,
          [event.data.currency, event.streamVersion, event.metadata.occurredAt, event.metadata.actorId],
        );
        ctx.changed('workspace_settings', 'default');
        return;
      }
      default: {
        const _exhaustive: never = event.type;
        return _exhaustive;
      }
    }
  },
});
