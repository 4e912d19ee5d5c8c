type Identified = { id: string };

export type Neighbours = { afterLeadId?: string; beforeLeadId?: string };

/**
 * The cards around a dropped card: `cards` is the target column as displayed (it may still hold
 * the moved card when it moved within its column), `index` is where the card lands in the
 * column once it is in place. `afterLeadId` is the card above it, `beforeLeadId` the card below.
 */
export function neighboursAt(cards: readonly Identified[], index: number, movedId: string): Neighbours {
  const others = cards.filter((c) => c.id !== movedId);
  const at = Math.max(0, Math.min(index, others.length));
  const result: Neighbours = {};
  const above = others[at - 1];
  const below = others[at];
  if (above) result.afterLeadId = above.id;
  if (below) result.beforeLeadId = below.id;
  return result;
}
