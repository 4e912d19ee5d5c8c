/**
 * The board's card selection (select mode), pure: a click toggles one card, a shift-click selects
 * the range from the last clicked card (the anchor) to this one within the same column, and
 * "select column" selects every shown card of a column (or clears them when all are selected).
 */
export type Selection = { ids: ReadonlySet<string>; anchor: { columnId: string; leadId: string } | null };

export const emptySelection = (): Selection => ({ ids: new Set(), anchor: null });

export function toggleCard(sel: Selection, columnId: string, leadId: string): Selection {
  const ids = new Set(sel.ids);
  if (ids.has(leadId)) ids.delete(leadId);
  else ids.add(leadId);
  return { ids, anchor: { columnId, leadId } };
}

/** Shift-click: selects anchor..leadId in the column's order; without an anchor in this column it is a plain toggle. */
export function selectRange(sel: Selection, columnId: string, order: readonly string[], leadId: string): Selection {
  const from = sel.anchor && sel.anchor.columnId === columnId ? order.indexOf(sel.anchor.leadId) : -1;
  const to = order.indexOf(leadId);
  if (from < 0 || to < 0) return toggleCard(sel, columnId, leadId);
  const ids = new Set(sel.ids);
  for (const id of order.slice(Math.min(from, to), Math.max(from, to) + 1)) ids.add(id);
  return { ids, anchor: { columnId, leadId } };
}

/** Selects every given card of the column, or deselects them all when they all were selected already. */
export function toggleColumn(sel: Selection, order: readonly string[]): Selection {
  const ids = new Set(sel.ids);
  const all = order.length > 0 && order.every((id) => ids.has(id));
  for (const id of order) {
    if (all) ids.delete(id);
    else ids.add(id);
  }
  return { ids, anchor: sel.anchor };
}

/** Keeps only the cards still on the board (a filter change, a card moved away by someone else). */
export function pruneSelection(sel: Selection, shown: ReadonlySet<string>): Selection {
  const ids = new Set([...sel.ids].filter((id) => shown.has(id)));
  if (ids.size === sel.ids.size) return sel;
  return { ids, anchor: sel.anchor && shown.has(sel.anchor.leadId) ? sel.anchor : null };
}

/** A change to this many leads or more at once asks for an explicit confirmation naming the count. */
export const BULK_CONFIRM_AT = 25;
export const needsBulkConfirmation = (count: number): boolean => count >= BULK_CONFIRM_AT;
