import { customFieldOf, fieldAccessOf, policyStandardFields, type FieldView, type LeadFields, type PolicyField } from '@leadline/contracts';
import { ForbiddenError } from '@leadline/platform';

type CustomFields = LeadFields['customFields'];

const standard = new Set<string>(policyStandardFields);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The policy fields a write sets: built-in fields whose value it changes (on creation: gives),
 * and `custom.<key>` for each custom key it adds, changes or removes.
 */
export function writtenFields(before: LeadFields | null, given: Partial<LeadFields>): PolicyField[] {
  const written: PolicyField[] = [];
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined || !standard.has(name)) continue;
    if (before ? !same(before[name as keyof LeadFields], value) : value !== null) written.push(name as PolicyField);
  }
  if (given.customFields !== undefined) {
    const from: CustomFields = before?.customFields ?? {};
    const keys = new Set([...Object.keys(from), ...Object.keys(given.customFields)]);
    for (const key of keys) if (!same(from[key], given.customFields[key])) written.push(customFieldOf(key));
  }
  return written;
}

const bodyPath = (field: PolicyField): string => (field.startsWith('custom.') ? `body.customFields.${field.slice('custom.'.length)}` : `body.${field}`);

/**
 * The one field-permission check of the write side, used by every lead write (create, update; bulk
 * and import to come): a field hidden or read-only for the writer on this lead is refused with a
 * 403 naming each such field. `ownerId` is the lead's owner (on creation: its new owner).
 */
export function assertMayWriteFields(view: FieldView, ownerId: string | null, written: readonly PolicyField[]): void {
  const refused = written.filter((f) => fieldAccessOf(view, ownerId, f) !== 'visible');
  if (refused.length === 0) return;
  throw new ForbiddenError(
    `Your role may not change ${refused.join(', ')} on this lead`,
    refused.map((f) => ({ field: bodyPath(f), message: fieldAccessOf(view, ownerId, f) === 'hidden' ? 'hidden from your role' : 'read-only for your role' })),
  );
}

/**
 * customFields replace the whole object, but a writer cannot keep what they cannot see: custom keys
 * hidden from them keep their stored values (a hidden key they name is still refused by the check).
 */
export function keepUnseenCustomFields(view: FieldView, ownerId: string | null, stored: CustomFields, given: CustomFields): CustomFields {
  const kept = Object.entries(stored).filter(([key]) => !(key in given) && fieldAccessOf(view, ownerId, customFieldOf(key)) === 'hidden');
  return kept.length === 0 ? given : { ...given, ...Object.fromEntries(kept) };
}
