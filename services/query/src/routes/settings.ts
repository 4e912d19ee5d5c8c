import { fieldPolicyDto, fieldPolicyQuery } from '@leadline/contracts';
import { ForbiddenError } from '@leadline/platform';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requirePrincipal } from '../principal.ts';
import { FIELD_POLICY } from '../projections.ts';
import { metaHeaders, type RouteContext } from './context.ts';

export function registerSettingsRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/settings/field-permissions',
    {
      schema: {
        summary: 'The field permissions in force (admins)',
        description:
          'The full rule set and its `version` (send it back as If-Match with PUT; 0 = the default policy, never changed). Without a saved policy: the default, in which analysts never see email and phone and custom fields are hidden from every role but admin.',
        tags: ['settings'],
        querystring: fieldPolicyQuery,
        response: { 200: fieldPolicyDto },
      },
    },
    async (request, reply) => {
      const principal = await requirePrincipal(request, ctx.sessions);
      if (principal.role !== 'admin') throw new ForbiddenError('Only admins read the field permissions');
      const meta = await ctx.tracker.waitFor([FIELD_POLICY], request.query.minCheckpoint);
      const s = await ctx.fields.get();
      metaHeaders(reply, meta);
      reply.header('ETag', `"${s.version}"`);
      return { rules: s.policy.rules, customFields: s.policy.customFields, version: s.version, updatedAt: s.updatedAt, updatedBy: s.updatedBy, ...meta };
    },
  );
}
