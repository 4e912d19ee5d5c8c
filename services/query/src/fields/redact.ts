import { customFieldOf, fieldAccessOf, policyStandardFields, type FieldView, type LeadCard, type LeadDto, type PolicyField } from '@leadline/contracts';
import { withoutHiddenSums, type SumsShown } from './sums.ts';

type CustomFields = Record<string, string | number | boolean | null>;

/**
 * THE field-permission filter of the read side: every answer and message that carries lead fields
 * passes through it before it leaves (lead and board reads, live messages, timeline, activities,
 * assignment views; exports, reports, notifications and emails must too when they come). Fields
 * hidden from the viewer on this lead are removed from the record (absent, not null); custom fields
 * are kept only where the policy grants them. `ownerId` is the lead's owner (its team decides
 * other-team rules). Any other key of the record passes unchanged.
 */
export function redactFields<T extends Record<string, unknown>>(view: FieldView, ownerId: string | null, record: T): T {
  if (view.viewer.role === 'admin') return record;
  const out: Record<string, unknown> = { ...record };
  for (const field of policyStandardFields) if (field in out && fieldAccessOf(view, ownerId, field) === 'hidden') delete out[field];
  const custom = out.customFields;
  if (custom && typeof custom === 'object') out.customFields = visibleCustomFields(view, ownerId, custom as CustomFields);
  return out as T;
}

export function visibleCustomFields(view: FieldView, ownerId: string | null, custom: CustomFields): CustomFields {
  return Object.fromEntries(Object.entries(custom).filter(([key]) => fieldAccessOf(view, ownerId, customFieldOf(key)) !== 'hidden'));
}

/** Fields present on the lead that the viewer may see but not change (the web disables their inputs). */
export function readOnlyFieldsOf(view: FieldView, ownerId: string | null, customKeys: readonly string[]): PolicyField[] {
  if (view.viewer.role === 'admin') return [];
  const fields: PolicyField[] = [...policyStandardFields, ...view.policy.customFields.map((c) => customFieldOf(c.key)), ...customKeys.map(customFieldOf)];
  return [...new Set(fields)].filter((f) => fieldAccessOf(view, ownerId, f) === 'read_only');
}

export const redactCard = (view: FieldView, card: LeadCard): LeadCard => redactFields(view, card.ownerId, card);

export const redactLead = (view: FieldView, lead: LeadDto): LeadDto => ({
  ...redactFields(view, lead.ownerId, lead),
  readOnlyFields: readOnlyFieldsOf(view, lead.ownerId, Object.keys(lead.customFields ?? {})),
});

/** A board column: its cards redacted, its sums left out where the reader may not see every value (fields/sums.ts). */
export const redactColumn = <C extends { cards: LeadCard[]; totalValue?: number; weightedValue?: number }>(view: FieldView, shown: SumsShown, column: C): C =>
  withoutHiddenSums(shown, { ...column, cards: column.cards.map((c) => redactCard(view, c)) });
