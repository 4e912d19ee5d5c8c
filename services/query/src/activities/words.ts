import { eventTypes, isLeadTimelineEvent, type TimelineEntry } from '@leadline/contracts';

export type Names = { user: (id: string | null | undefined) => string | null; stage: (id: string) => { name: string; isWon: boolean; isLost: boolean } | null };

type Change = TimelineEntry['changes'][number];

/** "expectedCloseDate" → "expected close date". */
export const label = (field: string): string => field.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

export const show = (value: unknown): string | null => {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
};

const change = (field: string, from: unknown, to: unknown): Change => ({ field, label: label(field), from: show(from), to: show(to) });

const known = new Set<string>(eventTypes);

const humanType = (type: string): string => label(type).replace(/^./, (c) => c.toUpperCase());

export type Described = { summary: string; changes: Change[] };

/**
 * A lead event in words a rep understands. Exhaustive over the event types this code knows, so a
 * new type does not compile until it has words; a type stored by newer code gets generic words.
 */
export function describeLeadEvent(type: string, data: Record<string, unknown>, names: Names): Described {
  if (!known.has(type)) return { summary: `${humanType(type)} (recorded by a newer version)`, changes: [] };
  if (!isLeadTimelineEvent(type)) return { summary: humanType(type), changes: [] };
  const t = type;
  const stageName = (id: unknown) => (typeof id === 'string' ? (names.stage(id)?.name ?? 'a removed stage') : 'an unknown stage');
  switch (t) {
    case 'LeadCreated': {
      const fields = (data.fields ?? {}) as Record<string, unknown>;
      const changes = Object.entries(fields).filter(([k, v]) => show(v) !== null && !(k === 'customFields' && Object.keys(v as object).length === 0)).map(([k, v]) => change(k, null, v));
      const owner = names.user(data.ownerId as string | null);
      return { summary: `Created the lead in ${stageName(data.stageId)}${owner ? `, owned by ${owner}` : ''}`, changes };
    }
    case 'LeadDetailsUpdated': {
      const changes = Object.entries((data.changes ?? {}) as Record<string, { from: unknown; to: unknown }>).map(([k, c]) => change(k, c.from, c.to));
      return { summary: `Changed ${changes.map((c) => c.label).join(', ')}`, changes };
    }
    case 'LeadDealValueChanged':
      return { summary: 'Changed the deal value', changes: [change('dealValue', data.from, data.to)] };
    case 'LeadExpectedCloseDateChanged':
      return { summary: 'Changed the expected close date', changes: [change('expectedCloseDate', data.from, data.to)] };
    case 'LeadProbabilityChanged':
      return { summary: data.to === null ? "Let the probability follow the stage's" : 'Changed the probability', changes: [change('probability', data.from, data.to)] };
    case 'LeadMovedToStage': {
      const from = typeof data.fromStageId === 'string' ? names.stage(data.fromStageId) : null;
      const to = typeof data.toStageId === 'string' ? names.stage(data.toStageId) : null;
      const changes = [change('stage', from?.name ?? null, to?.name ?? null)];
      if (data.fromStageId === data.toStageId) return { summary: `Reordered within ${stageName(data.toStageId)}`, changes: [] };
      if (to?.isWon || data.wonValue != null) return { summary: `Won${data.wonValue != null ? ` (${show(data.wonValue)})` : ''}: moved to ${stageName(data.toStageId)}`, changes };
      if (to?.isLost || data.lostReason) return { summary: `Lost: ${show(data.lostReason) ?? 'no reason given'}`, changes: [...changes, change('lostReason', null, data.lostReason)] };
      if (from?.isWon || from?.isLost) return { summary: `Reopened into ${stageName(data.toStageId)}`, changes };
      return { summary: `Moved from ${stageName(data.fromStageId)} to ${stageName(data.toStageId)}`, changes };
    }
    case 'LeadForgotten':
      return { summary: `Erased this person's personal data: ${show(data.reason) ?? 'no reason given'}`, changes: [] };
    case 'LeadAssigned': {
      const to = names.user(data.ownerId as string | null);
      const from = names.user(data.previousOwnerId as string | null);
      // Rule assignments name the rule and what matched (the reason repeats it); other ways name how, then the reason.
      const matched = Array.isArray(data.matched) ? (data.matched as string[]) : [];
      const how = data.ruleName
        ? ` by rule "${show(data.ruleName)}"${matched.length ? ` (${matched.join(' and ')})` : ''}`
        : data.via === 'auto_assign' ? ' by auto-assign' : data.via === 'redistribution' ? ' by a redistribution' : '';
      const why = data.reason && !data.ruleName ? ` (${show(data.reason)})` : '';
      return { summary: data.ownerId === null ? `Unassigned${from ? ` from ${from}` : ''}${how}${why}` : `Assigned to ${to ?? 'a removed user'}${how}${why}`, changes: [change('owner', from, to)] };
    }
    default: {
      const _exhaustive: never = t;
      return { summary: humanType(_exhaustive), changes: [] };
    }
  }
}

const TYPE_WORD: Record<string, string> = { call: 'Call', email: 'Email', meeting: 'Meeting', note: 'Note', task: 'Task', sms: 'SMS' };

export type ActivityView = { type: string; subject: string | null; completedAt: string | null; outcome: string | null; durationMinutes: number | null; deletedAt: string | null; deletedByName: string | null };

export function describeActivity(a: ActivityView): string {
  const word = TYPE_WORD[a.type] ?? humanType(a.type);
  if (a.deletedAt) return `${word} deleted by ${a.deletedByName ?? 'someone'}${a.subject ? `: ${a.subject}` : ''}`;
  const done = a.completedAt ? [a.outcome?.replace(/_/g, ' '), a.durationMinutes ? `${a.durationMinutes} min` : null].filter(Boolean).join(', ') : '';
  return `${word}: ${a.subject}${done ? ` (${done})` : a.completedAt ? '' : ' (open)'}`;
}
