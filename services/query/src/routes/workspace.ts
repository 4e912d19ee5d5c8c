import { DEFAULT_CURRENCY, workspaceSettingsDto, workspaceSettingsQuery, type WorkspaceSettingsDto } from '@leadline/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requirePrincipal } from '../principal.ts';
import { WORKSPACE_SETTINGS } from '../projections.ts';
import { metaHeaders, type RouteContext } from './context.ts';

type Row = { currency: string; version: number; updated_at: Date; updated_by: string };

// 42P01/3F000: no such table or schema yet (the projector has not run): the defaults, as before any change.
const missingTable = (err: unknown): boolean => ['42P01', '3F000'].includes((err as { code?: string }).code ?? '');

export function registerWorkspaceRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/settings/workspace',
    {
      schema: {
        summary: 'The workspace settings (every signed-in user)',
        description:
          'The currency every amount is shown in (ISO 4217; USD until an admin chooses one) and the `version` to send back as If-Match with PUT (0 = never changed). Every role reads it: reps need it to show money.',
        tags: ['settings'],
        querystring: workspaceSettingsQuery,
        response: { 200: workspaceSettingsDto },
      },
    },
    async (request, reply) => {
      await requirePrincipal(request, ctx.sessions);
      const meta = await ctx.tracker.waitFor([WORKSPACE_SETTINGS], request.query.minCheckpoint);
      const rows = await ctx.pool
        .query<Row>(`SELECT currency, version, updated_at, updated_by FROM read.workspace_settings WHERE id = 'default'`)
        .then((res) => res.rows)
        .catch((err: unknown) => (missingTable(err) ? [] : Promise.reject(err)));
      const row = rows[0];
      metaHeaders(reply, meta);
      const body: WorkspaceSettingsDto = row
        ? { currency: row.currency, version: Number(row.version), updatedAt: row.updated_at.toISOString(), updatedBy: row.updated_by, ...meta }
        : { currency: DEFAULT_CURRENCY, version: 0, updatedAt: null, updatedBy: null, ...meta };
      reply.header('ETag', `"${body.version}"`);
      return body;
    },
  );
}
