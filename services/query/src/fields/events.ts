import { customFieldOf, fieldAccessOf, isPolicyField, type FieldView, type PolicyField, type TimelineEntry } from '@leadline/contracts';
import { redactFields, visibleCustomFields } from './redact.ts';

type Data = Record<string, unknown>;
type CustomFields = Record<string, string | number | boolean | null>;

const hidden = (view: FieldView, ownerId: string | null, field: PolicyField): boolean => fieldAccessOf(view, ownerId, field) === 'hidden';

/** The policy field a rule condition ("dealValue ≥ 10000", "custom.tier is gold", "score > 50") tests. */
function conditionField(condition: string): PolicyField | null {
  const name = condition.split(' ', 1)[0];
  if (name === 'score') return customFieldOf('score');
  return isPolicyField(name) ? name : null;
}

/**
 * Matched rule conditions on a hidden field keep the field's name, not what it was compared with
 * ("dealValue (hidden)"), and so does a reason that repeats them.
 */
export function redactMatched<T extends string | null>(view: FieldView, ownerId: string | null, matched: readonly string[], reason: T): { matched: string[]; reason: T } {
  let words = reason as string | null;
  const out = matched.map((c) => {
    const field = conditionField(c);
    if (!field || !hidden(view, ownerId, field)) return c;
    const kept = `${c.split(' ', 1)[0]} (hidden)`;
    if (words !== null) words = words.split(c).join(kept);
    return kept;
  });
  return { matched: out, reason: words as T };
}

/**
 * A lead event's data without the values hidden from the viewer: what a timeline entry is worded
 * from and what non-auditors get as raw events. A hidden field's change keeps its name (it did
 * change) without `from` and `to`.
 */
export function redactEventData(view: FieldView, ownerId: string | null, type: string, data: Data): Data {
  if (view.viewer.role === 'admin') return data;
  switch (type) {
    case 'LeadCreated':
      return { ...data, fields: redactFields(view, ownerId, (data.fields ?? {}) as Data) };
    case 'LeadDetailsUpdated': {
      const changes: Record<string, unknown> = {};
      for (const [name, change] of Object.entries((data.changes ?? {}) as Record<string, { from: unknown; to: unknown }>)) {
        if (name === 'customFields') {
          const from = visibleCustomFields(view, ownerId, (change.from ?? {}) as CustomFields);
          const to = visibleCustomFields(view, ownerId, (change.to ?? {}) as CustomFields);
          changes[name] = JSON.stringify(from) === JSON.stringify(to) ? {} : { from, to };
        } else changes[name] = isPolicyField(name) && hidden(view, ownerId, name) ? {} : change;
      }
      return { ...data, changes };
    }
    case 'LeadDealValueChanged':
    case 'LeadExpectedCloseDateChanged':
    case 'LeadProbabilityChanged': {
      const field: PolicyField = type === 'LeadDealValueChanged' ? 'dealValue' : type === 'LeadProbabilityChanged' ? 'probability' : 'expectedCloseDate';
      if (!hidden(view, ownerId, field)) return data;
      const { from: _from, to: _to, ...rest } = data;
      return rest;
    }
    case 'LeadMovedToStage': {
      if (data.wonValue == null || !hidden(view, ownerId, 'dealValue')) return data;
      const { wonValue: _won, ...rest } = data;
      return rest;
    }
    case 'LeadAssigned':
    case 'LeadRouted': {
      if (!Array.isArray(data.matched)) return data;
      return { ...data, ...redactMatched(view, ownerId, data.matched as string[], typeof data.reason === 'string' ? data.reason : null) };
    }
    default:
      return data;
  }
}

/** A described change of a hidden field says that it changed, not from what to what. */
export function redactChanges(view: FieldView, ownerId: string | null, changes: TimelineEntry['changes']): TimelineEntry['changes'] {
  if (view.viewer.role === 'admin') return changes;
  return changes.map((c) => {
    const valueHidden = c.field === 'customFields' ? c.from === null && c.to === null : isPolicyField(c.field) && hidden(view, ownerId, c.field);
    return valueHidden ? { field: c.field, label: c.label } : c;
  });
}
