import { defineProjection } from '../../engine/types.ts';

/** `read.users`: who can own leads and log in. The password hash never leaves the event. */
export const usersProjection = defineProjection({
  name: 'users',
  version: 1,
  live: true,
  eventTypes: ['UserCreated'],
  tables: [
    {
      name: 'users',
      ddl: (t) => `CREATE TABLE ${t} (
        id uuid PRIMARY KEY,
        email text NOT NULL,
        name text NOT NULL,
        role text NOT NULL,
        created_at timestamptz NOT NULL
      )`,
      indexes: (t) => [`CREATE INDEX ON ${t} (lower(email))`],
    },
  ],
  async handle(ctx, event) {
    switch (event.type) {
      case 'UserCreated': {
        const { userId, email, name, role } = event.data;
        await ctx.db.query(`INSERT INTO ${ctx.table('users')} (id, email, name, role, created_at) VALUES ($1, $2, $3, $4, $5::timestamptz)`, [
          userId,
          email,
          name,
          role,
          event.metadata.occurredAt,
        ]);
        ctx.changed('users', userId);
        return;
      }
      default: {
        const _exhaustive: never = event.type;
        return _exhaustive;
      }
    }
  },
});
