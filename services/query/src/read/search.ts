import { activityListQuery, customFieldOf, fieldAccessOf, SEARCH_LIMIT, type ActivitySearchHit, type LeadSearchHit } from '@leadline/contracts';
import type pg from 'pg';
import { listActivities } from '../activities/read.ts';
import type { LeadFieldView } from '../fields/policyCache.ts';
import { redactFields } from '../fields/redact.ts';
import { leadMatchSql, type LeadMatchField } from '../fields/search.ts';
import { visibilitySql, type Scope } from './visibility.ts';

type Row = {
  id: string;
  stage_id: string;
  stage_name: string | null;
  owner_id: string | null;
  owner_name: string | null;
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  email: string | null;
  phone: string | null;
  external_id: string | null;
} & Partial<Record<`m_${LeadMatchField}`, boolean>>;

/**
 * Leads whose name, company, email, phone (digits to digits) or external id contains `q`, in the
 * scope, each field searched only where the reader may see it (fields/search.ts); the most
 * recently changed first. The trigram indexes of read.leads (lead_cards v5) find rare text; common
 * text fills the page from the updated_at index.
 */
export async function searchLeads(pool: pg.Pool, scope: Scope, q: string, view: LeadFieldView, limit = SEARCH_LIMIT): Promise<LeadSearchHit[]> {
  const params: unknown[] = [];
  const visible = visibilitySql(scope, 'l', params);
  const matches = leadMatchSql(view, q, 'l', params, ['name', 'company', 'email', 'phone', 'externalId']);
  if (matches.length === 0) return [];
  params.push(limit);
  const { rows } = await pool.query<Row>(
    `SELECT l.id, l.stage_id, s.name AS stage_name, l.owner_id, u.name AS owner_name, l.first_name, l.last_name, l.company, l.email, l.phone,
       l.custom_fields ->> 'externalId' AS external_id, ${matches.map((m) => `COALESCE(${m.sql}, FALSE) AS "m_${m.field}"`).join(', ')}
     FROM read.leads l LEFT JOIN read.users u ON u.id = l.owner_id LEFT JOIN read.stages s ON s.id = l.stage_id
     WHERE ${visible} AND (${matches.map((m) => m.sql).join(' OR ')})
     ORDER BY l.updated_at DESC, l.id DESC
     LIMIT $${params.length}`,
    params,
  );
  return rows.map((r) => {
    const shown = redactFields(view, r.owner_id, { firstName: r.first_name, lastName: r.last_name, company: r.company, email: r.email, phone: r.phone });
    const hit: LeadSearchHit = {
      id: r.id,
      stageId: r.stage_id,
      stageName: r.stage_name,
      ownerName: r.owner_name,
      ...shown,
      matched: matches.filter((m) => r[`m_${m.field}`]).map((m) => m.field),
    };
    if (view.viewer.role === 'admin' || fieldAccessOf(view, r.owner_id, customFieldOf('externalId')) !== 'hidden') hit.externalId = r.external_id;
    return hit;
  });
}

/** Activities whose subject or description has the words of `q` (as the activities list searches), on leads the scope sees. */
export async function searchActivities(pool: pg.Pool, scope: Scope, q: string, view: LeadFieldView, limit = SEARCH_LIMIT): Promise<ActivitySearchHit[]> {
  const filter = activityListQuery.parse({ q, limit });
  const page = await listActivities(pool, scope, { ...filter, onVisibleLeads: true, planByEstimate: true }, view);
  return page.items.map((a) => ({ id: a.id, leadId: a.leadId, leadName: a.leadName, type: a.type, subject: a.subject, createdAt: a.createdAt }));
}
