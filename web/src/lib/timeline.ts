import type { TimelineEntry, TimelineKind } from '@leadline/contracts';
import { formatMoney } from './money.ts';
import { formatDate, formatDateTime } from './zone.ts';

/**
 * "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", then the date; future times "in 2 h".
 * `logged`: the time of something that already happened (a timeline entry), so a time ahead of this
 * browser's clock is skew between the machines, never the future.
 */
export function relativeTime(at: string, now: Date = new Date(), options: { logged?: boolean } = {}): string {
  const diff = options.logged ? Math.min(0, Date.parse(at) - now.getTime()) : Date.parse(at) - now.getTime();
  const past = diff <= 0;
  const s = Math.abs(diff) / 1000;
  const say = (n: number, unit: string) => (past ? `${n} ${unit} ago` : `in ${n} ${unit}`);
  // Under a minute either way is "just now": an entry already logged can be stamped a few seconds
  // ahead of this browser's clock (skew, or a `now` refreshed every 30 s) and must not read "in a moment".
  if (s < (past ? 45 : 60)) return 'just now';
  if (s < 3600) return say(Math.round(s / 60), 'min');
  if (s < 86_400) return say(Math.round(s / 3600), 'h');
  const days = Math.round(s / 86_400);
  if (days === 1) return past ? 'yesterday' : 'tomorrow';
  if (days < 7) return say(days, 'days');
  return formatDate(at);
}

export const exactTime = (at: string): string => formatDateTime(at, { dateStyle: 'full', timeStyle: 'long' });

/** Entries by id, newer versions replacing older ones, in timeline order (position, newest first). */
export function mergeEntries(current: TimelineEntry[], incoming: TimelineEntry[], kinds: TimelineKind[] | null = null): TimelineEntry[] {
  const byId = new Map(current.map((e) => [e.id, e]));
  for (const e of incoming) if (!kinds || kinds.includes(e.kind)) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => (a.position < b.position ? 1 : a.position > b.position ? -1 : 0));
}

export const KIND_ICON: Record<TimelineKind, string> = {
  call: 'pi-phone',
  email: 'pi-envelope',
  meeting: 'pi-users',
  note: 'pi-file-edit',
  task: 'pi-check-square',
  sms: 'pi-comment',
  created: 'pi-plus-circle',
  updated: 'pi-pencil',
  stage: 'pi-arrow-right-arrow-left',
  assignment: 'pi-user',
  other: 'pi-info-circle',
};

export const FILTER_CHIPS: { label: string; kinds: TimelineKind[] | null }[] = [
  { label: 'All', kinds: null },
  { label: 'Calls', kinds: ['call'] },
  { label: 'Emails', kinds: ['email'] },
  { label: 'Meetings', kinds: ['meeting'] },
  { label: 'Notes', kinds: ['note'] },
  { label: 'Tasks', kinds: ['task', 'sms'] },
  { label: 'Changes', kinds: ['created', 'updated', 'stage', 'assignment', 'other'] },
];

export type ChangeContext = { currency: string; stageName?: (id: string) => string | undefined; userName?: (id: string) => string | undefined };

/**
 * A changed value in a timeline entry as the UI shows that field elsewhere: money in the currency,
 * a probability in per cent, a calendar day in the browser's words, a stage or user by name.
 * The server gives the values as text ("45000"); null stays null ("(empty)" is the template's).
 */
export function formatChangeValue(field: string, value: string | null | undefined, ctx: ChangeContext): string | null {
  if (value === null || value === undefined || value === '') return null;
  switch (field) {
    case 'dealValue':
      return Number.isFinite(Number(value)) ? formatMoney(Number(value), { currency: ctx.currency }) : value;
    case 'probability':
      return `${value}%`;
    case 'expectedCloseDate': {
      const [y, m, d] = value.split('-').map(Number);
      return y && m && d ? new Date(y, m - 1, d).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' }) : value;
    }
    case 'stageId':
      return ctx.stageName?.(value) ?? 'another stage';
    case 'ownerId':
      return ctx.userName?.(value) ?? 'another user';
    default:
      return value;
  }
}

/** "Won (45000): moved to Won" from the server, with the amount as the page shows money. */
export function formatSummary(entry: Pick<TimelineEntry, 'kind' | 'summary'>, currency: string): string {
  if (entry.kind !== 'stage') return entry.summary;
  return entry.summary.replace(/^Won \((-?\d+(?:\.\d+)?)\)/, (_, n: string) => `Won (${formatMoney(Number(n), { currency })})`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who did it, by name: the server's name, else one the page knows; a process by its name; never a bare id. */
export function actorText(entry: Pick<TimelineEntry, 'actorId' | 'actorName'>, userName?: (id: string) => string | undefined): string {
  if (entry.actorName) return entry.actorName;
  if (UUID.test(entry.actorId)) return userName?.(entry.actorId) ?? 'a removed user';
  return `${entry.actorId.charAt(0).toUpperCase()}${entry.actorId.slice(1)} (automatic)`;
}
