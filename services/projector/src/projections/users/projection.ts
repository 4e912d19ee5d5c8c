import { defineProjection } from '../../engine/types.ts';

/**
 * `read.users`: who can own leads, with their role, home team, disabled state, own time zone and stream version
 * (the If-Match of `PUT /api/users/:id`). Password hashes are not in the log any more (UserCreated
 * v2; v1 events are upcast without theirs), so none can reach this table.
 */
export const usersProjection = defineProjection({
  name: 'users',
  version: 3,
  live: true,
  eventTypes: ['UserCreated', 'UserUpdated', 'UserProfileChanged', 'RoleChanged', 'UserDisabled', 'UserEnabled', 'UserPasswordChanged'],
  tables: [
    {
      name: 'users',
      ddl: (t) => `CREATE TABLE ${t} (
        id uuid PRIMARY KEY,
        email text NOT NULL,
        name text NOT NULL,
        role text NOT NULL,
        team_id uuid,
        disabled boolean NOT NULL DEFAULT false,
        time_zone text,
        version int NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      indexes: (t) => [`CREATE INDEX ON ${t} (lower(email))`],
    },
  ],
  async handle(ctx, event) {
    const users = ctx.table('users');
    const at = event.metadata.occurredAt;
    /** Every event of a user's stream moves the row's version, so a client's If-Match stays in step with the stream. */
    const change = async (set: string[], values: unknown[]) => {
      const sets = [...set, 'version = $2', 'updated_at = $3::timestamptz'].join(', ');
      await ctx.db.query(`UPDATE ${users} SET ${sets} WHERE id = $1`, [event.data.userId, event.streamVersion, at, ...values]);
      ctx.changed('users', event.data.userId);
    };
    switch (event.type) {
      case 'UserCreated': {
        const { userId, email, name, role } = event.data;
        await ctx.db.query(`INSERT INTO ${users} (id, email, name, role, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $6::timestamptz)`, [
          userId,
          email,
          name,
          role,
          event.streamVersion,
          at,
        ]);
        ctx.changed('users', userId);
        return;
      }
      case 'UserUpdated':
        return change(['name = $4', 'team_id = $5'], [event.data.name, event.data.teamId]);
      case 'UserProfileChanged':
        return change(['name = $4', 'time_zone = $5'], [event.data.name, event.data.timeZone]);
      case 'RoleChanged':
        return change(['role = $4'], [event.data.to]);
      case 'UserDisabled':
        return change(['disabled = true'], []);
      case 'UserEnabled':
        return change(['disabled = false'], []);
      case 'UserPasswordChanged':
        return change([], []);
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
});
