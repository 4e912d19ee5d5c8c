import { fieldAccessOf, hiddenOnSomeLeads, type FieldView, type PolicyField } from '@leadline/contracts';
import type { Scope } from '../read/visibility.ts';

/** Which sums a viewer may get over the leads of a scope: a sum is left out rather than computed over the part they may see (a partial sum would pass for the whole). */
export type SumsShown = { totalValue: boolean; weightedValue: boolean };

function visibleOnAll(view: FieldView, scope: Scope, field: PolicyField): boolean {
  switch (scope.kind) {
    case 'all':
      return !hiddenOnSomeLeads(view, field);
    case 'own':
      // A scoped rep's sums cover their own leads and unassigned ones.
      return fieldAccessOf(view, scope.userId, field) !== 'hidden' && fieldAccessOf(view, null, field) !== 'hidden';
    default: {
      const _exhaustive: never = scope;
      return _exhaustive;
    }
  }
}

export function sumsShown(view: FieldView, scope: Scope): SumsShown {
  const value = visibleOnAll(view, scope, 'dealValue');
  return { totalValue: value, weightedValue: value && visibleOnAll(view, scope, 'probability') };
}

/** Sums over one owner's leads (a workload row). */
export function ownerSumsShown(view: FieldView, ownerId: string | null): SumsShown {
  const value = fieldAccessOf(view, ownerId, 'dealValue') !== 'hidden';
  return { totalValue: value, weightedValue: value && fieldAccessOf(view, ownerId, 'probability') !== 'hidden' };
}

/** Removes the sums the viewer may not get from anything that carries them (columns, totals, overview stages, workload rows). */
export function withoutHiddenSums<T extends { totalValue?: number; weightedValue?: number }>(shown: SumsShown, row: T): T {
  if (shown.totalValue && shown.weightedValue) return row;
  const out = { ...row };
  if (!shown.totalValue) delete out.totalValue;
  if (!shown.weightedValue) delete out.weightedValue;
  return out;
}
