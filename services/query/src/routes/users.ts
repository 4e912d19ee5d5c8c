import { minCheckpointQuery, userDto } from '@leadline/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../principal.ts';
import { USERS } from '../projections.ts';
import { listUsers } from '../read/users.ts';
import { me } from '../schemas.ts';
import { metaHeaders, type RouteContext } from './context.ts';

export function registerUserRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/auth/me',
    { schema: { summary: 'The signed-in user', tags: ['auth'], response: { 200: me } } },
    async (request) => {
      const p = requirePrincipal(request, ctx.sessionSecret);
      return { id: p.userId, email: p.email, name: p.name, role: p.role };
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
      requirePrincipal(request, ctx.sessionSecret);
      const meta = await ctx.tracker.waitFor([USERS], request.query.minCheckpoint);
      const users = await listUsers(ctx.pool);
      metaHeaders(reply, meta);
      return users;
    },
  );
}
