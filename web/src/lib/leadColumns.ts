import { defaultSortDir, leadSortKeys, type LeadDto, type LeadSort, type SortDir } from '@leadline/contracts';
import { displayName } from './display.ts';
import { formatMoney } from './money.ts';
import { formatDate } from './zone.ts';

/**
 * The lead list's columns: every lead field, the stage, owner and dates, and each custom field
 * the shown leads carry. A column that the server sorts by names its sort key; the others are
 * shown but not sortable. The name column is always there (it is the link to the lead).
 */
export type LeadColumn = { id: string; label: string; sort?: LeadSort; num?: boolean };

export const STANDARD_COLUMNS: readonly LeadColumn[] = [
  { id: 'name', label: 'Name', sort: 'name' },
  { id: 'company', label: 'Company', sort: 'company' },
  { id: 'email', label: 'Email' },
  { id: 'phone', label: 'Phone' },
  { id: 'title', label: 'Job title' },
  { id: 'stage', label: 'Stage', sort: 'stage' },
  { id: 'owner', label: 'Owner', sort: 'owner' },
  { id: 'value', label: 'Value', sort: 'value', num: true },
  { id: 'probability', label: 'Probability', num: true },
  { id: 'expectedCloseDate', label: 'Expected close' },
  { id: 'source', label: 'Source' },
  { id: 'industry', label: 'Industry' },
  { id: 'country', label: 'Country' },
  { id: 'city', label: 'City' },
  { id: 'companySize', label: 'Company size' },
  { id: 'createdAt', label: 'Created', sort: 'createdAt' },
  { id: 'updatedAt', label: 'Updated', sort: 'updatedAt' },
];

export const DEFAULT_COLUMNS: readonly string[] = ['name', 'company', 'email', 'stage', 'owner', 'value', 'createdAt'];
export const CUSTOM_PREFIX = 'custom.';

/** `annualBudget` → "Annual budget": custom fields are known by key (their labels are the admins'). */
export function customLabel(key: string): string {
  const words = key.replace(/_/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A column for each custom field key among the leads, A to Z. */
export function customColumns(leads: readonly LeadDto[]): LeadColumn[] {
  const keys = new Set<string>();
  for (const l of leads) for (const k of Object.keys(l.customFields ?? {})) keys.add(k);
  return [...keys].sort().map((k) => ({ id: CUSTOM_PREFIX + k, label: customLabel(k) }));
}

/** The chosen ids in a stable order (the standard order, then custom ones as chosen); `name` always first. */
export function normaliseColumns(chosen: readonly string[]): string[] {
  const known = new Set(STANDARD_COLUMNS.map((c) => c.id));
  const standard = STANDARD_COLUMNS.map((c) => c.id).filter((id) => id === 'name' || chosen.includes(id));
  const custom = chosen.filter((id, i) => id.startsWith(CUSTOM_PREFIX) && id.length > CUSTOM_PREFIX.length && !known.has(id) && chosen.indexOf(id) === i);
  return [...standard, ...custom];
}

const storageKey = (userId: string) => `leadline.leadColumns.${userId}`;

/** The user's columns on this device; the defaults when none were chosen or what was stored is unreadable. */
export function loadColumns(userId: string, storage: Pick<Storage, 'getItem'> = localStorage): string[] {
  try {
    const stored: unknown = JSON.parse(storage.getItem(storageKey(userId)) ?? 'null');
    if (Array.isArray(stored) && stored.every((s) => typeof s === 'string')) return normaliseColumns(stored);
  } catch {
    /* unreadable: the defaults */
  }
  return [...DEFAULT_COLUMNS];
}
export function saveColumns(userId: string, ids: readonly string[], storage: Pick<Storage, 'setItem'> = localStorage): void {
  storage.setItem(storageKey(userId), JSON.stringify(normaliseColumns(ids)));
}

type CellContext = { stageName: (id: string) => string; currency: string; locale?: string; zone?: string };

const asText = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));

/** What a cell shows, as text. A field hidden from the reader is absent from the lead and shows empty. */
export function cellText(lead: LeadDto, id: string, ctx: CellContext): string {
  switch (id) {
    case 'name':
      return displayName(lead);
    case 'stage':
      return ctx.stageName(lead.stageId);
    case 'owner':
      return lead.ownerName ?? 'Unassigned';
    case 'value':
      return 'dealValue' in lead ? formatMoney(lead.dealValue, { currency: ctx.currency, locale: ctx.locale }) : '';
    case 'probability':
      return typeof lead.probability === 'number' ? `${lead.probability}%` : '';
    case 'expectedCloseDate':
      return lead.expectedCloseDate ? new Date(`${lead.expectedCloseDate}T00:00:00Z`).toLocaleDateString(ctx.locale, { timeZone: 'UTC', dateStyle: 'medium' }) : '';
    case 'createdAt':
    case 'updatedAt':
      return formatDate(lead[id], { dateStyle: 'medium' }, ctx.zone);
    default:
      if (id.startsWith(CUSTOM_PREFIX)) return asText(lead.customFields?.[id.slice(CUSTOM_PREFIX.length)]);
      return asText((lead as Record<string, unknown>)[id]);
  }
}

/** The sort in the URL (`?sort=value&dir=desc`), or the list's default: newest first. */
export function sortFromQuery(query: Record<string, unknown>): { sort: LeadSort; dir: SortDir } {
  const sort = (leadSortKeys as readonly string[]).includes(query.sort as string) ? (query.sort as LeadSort) : 'createdAt';
  const dir = query.dir === 'asc' || query.dir === 'desc' ? query.dir : defaultSortDir(sort);
  return { sort, dir };
}

/** A click on a sortable header: the other direction when it is the current sort, else that column's natural one. */
export function nextSort(current: { sort: LeadSort; dir: SortDir }, sort: LeadSort): { sort: LeadSort; dir: SortDir } {
  if (current.sort === sort) return { sort, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { sort, dir: defaultSortDir(sort) };
}
