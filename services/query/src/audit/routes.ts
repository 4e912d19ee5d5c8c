import { Readable } from 'node:stream';
import { auditExportQuery, auditListQuery, auditPage } from '@leadline/contracts';
import { auditContext, recordAudit } from '@leadline/command';
import { ForbiddenError, requireSameOriginRead, type Principal } from '@leadline/platform';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requirePrincipal } from '../principal.ts';
import { USERS } from '../projections.ts';
import { metaHeaders, type RouteContext } from '../routes/context.ts';
import { auditCsvHeader, auditCsvLine } from './csv.ts';
import { allAudit, listAudit } from './list.ts';

export const AUDIT_LOG = 'audit_log';
const READS = [AUDIT_LOG, USERS];

function requireAuditReader(principal: Principal): void {
  if (principal.role !== 'auditor' && principal.role !== 'admin') throw new ForbiddenError('Only auditors and admins read the audit log');
}

/**
 * The audit log (auditors and admins). The export is recorded as an `export` audit event before a
 * byte of it is sent (recordAudit needs only PostgreSQL: the command service's chainer puts it in
 * the chain); when it cannot be recorded, nothing is sent.
 */
export function registerAuditRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/audit',
    {
      schema: {
        summary: 'Audit events, newest first, with filters and cursor paging (auditors and admins)',
        description: '`kind` is one or several kinds, comma-separated; `actorId` the user who acted; `subject` the id of what it was about (a user or lead id, an email tried at sign-in, a data set); `from` inclusive, `to` exclusive.',
        tags: ['audit'],
        querystring: auditListQuery,
        response: { 200: auditPage },
      },
    },
    async (request, reply) => {
      requireAuditReader(await requirePrincipal(request, ctx.sessions));
      const { minCheckpoint, ...filter } = request.query;
      const meta = await ctx.tracker.waitFor(READS, minCheckpoint);
      const page = await listAudit(ctx.pool, filter);
      metaHeaders(reply, meta);
      return { ...page, ...meta };
    },
  );

  r.get(
    '/api/audit/export',
    {
      schema: {
        summary: 'The audit events matching the filters as CSV, streamed (auditors and admins); recorded as an export audit event',
        description: 'Same filters as `GET /api/audit`, every matching row, newest first. Cells a spreadsheet would run as a formula start with an apostrophe.',
        tags: ['audit'],
        querystring: auditExportQuery,
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const principal = await requirePrincipal(request, ctx.sessions);
      requireAuditReader(principal);
      // A GET with an effect (the export is recorded): a cross-site link must not trigger it with the cookie.
      requireSameOriginRead(request);
      const { minCheckpoint, ...filter } = request.query;
      const meta = await ctx.tracker.waitFor(READS, minCheckpoint);
      await recordAudit(ctx.pool, auditContext(request, principal), { kind: 'export', subject: { type: 'dataset', id: AUDIT_LOG }, detail: { filters: filter } });
      async function* csv() {
        yield auditCsvHeader();
        for await (const entry of allAudit(ctx.pool, filter)) yield auditCsvLine(entry);
      }
      metaHeaders(reply, meta);
      reply
        .type('text/csv; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="audit-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}Z.csv"`);
      return reply.send(Readable.from(csv()));
    },
  );
}
