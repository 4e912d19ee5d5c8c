import { minCheckpointQuery, sessionDto, meResponse, userDto } from '@leadline/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../principal.ts';
import { USERS } from '../projections.ts';
import { listUsers } from '../read/users.ts';
import { metaHeaders, type RouteContext } from './context.ts';

export function registerUserRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/auth/me',
    { schema: { summary: 'The signed-in user', description: '`mustChangePassword`: an admin set a temporary password; the web app asks for a new one before anything else. `timeZone`: the zone chosen in the profile (null: the browser\'s).', tags: ['auth'], response: { 200: meResponse } } },
    async (request) => {
      const p = await requirePrincipal(request, ctx.sessions);
      // Only the flag is read from the command side's credentials, never the hash.
      // (The table is the command service's: before it has migrated, nobody has a temporary password.)
      const [{ rows }, zone] = await Promise.all([
        ctx.pool.query<{ must_change: boolean }>('SELECT must_change FROM cmd.credentials WHERE user_id = $1', [p.userId]).catch((err: { code?: string }) => {
          if (err.code === '42P01') return { rows: [] as { must_change: boolean }[] };
          throw err;
        }),
        ctx.pool.query<{ time_zone: string | null }>('SELECT time_zone FROM read.users WHERE id = $1', [p.userId]),
      ]);
      return { id: p.userId, email: p.email, name: p.name, role: p.role, teamId: p.teamId, mustChangePassword: rows[0]?.must_change ?? false, timeZone: zone.rows[0]?.time_zone ?? null };
    },
  );

  r.get(
    '/api/auth/sessions',
    {
      schema: {
        summary: 'Your live sessions',
        description: 'Where and when each was opened and last used; `current` marks the one of this request. End one with `DELETE /api/auth/sessions/:id`.',
        tags: ['auth'],
        response: { 200: z.array(sessionDto) },
      },
    },
    async (request, reply) => {
      const p = await requirePrincipal(request, ctx.sessions);
      reply.header('Cache-Control', 'no-store');
      return (await ctx.sessions.list(p.userId)).map((s) => ({
        id: s.id,
        userAgent: s.userAgent,
        ip: s.ip,
        createdAt: s.createdAt.toISOString(),
        lastSeenAt: s.lastSeenAt.toISOString(),
        expiresAt: s.expiresAt.toISOString(),
        current: s.id === p.sessionId,
      }));
    },
  );

  r.get(
    '/api/users',
    {
      schema: {
        summary: 'Every user (names for owner pickers)',
        description: 'Checkpoint and staleness are in the `X-Checkpoint` and `X-Stale` headers.',
        tags: ['users'],
        querystring: minCheckpointQuery,
        response: { 200: z.array(userDto) },
      },
    },
    async (request, reply) => {
      await requirePrincipal(request, ctx.sessions);
      const meta = await ctx.tracker.waitFor([USERS], request.query.minCheckpoint);
      const users = await listUsers(ctx.pool);
      metaHeaders(reply, meta);
      return users;
    },
  );
}
