/** The owner key of unassigned leads. */
export const UNASSIGNED = 'unassigned';

/** A changed lead's owner just before a change, or unknown. */
export type Prior = { owner: string | null } | 'unknown';

type Entry = { owner: string | null; at: string };

/**
 * What the hub knows about lead owners, to tell whether a changed lead a user can no longer
 * see was visible to them before: `removed` must name the cards a client may hold, and no
 * other lead's id (that would tell a rep about leads they may not see).
 *
 * Facts come from processed change notices (in checkpoint order) and from seeds: for an owner
 * key (a user id, or UNASSIGNED) a seed reads, in one snapshot, every lead it owns and the
 * lead_cards checkpoint. Once a key is seeded at checkpoint s, a lead missing from the index
 * at a later notice was not owned by that key just before it: any lead owned by the key at s
 * was recorded, and every later change of a lead is recorded before the next notice runs.
 * Without such a fact the answer is "maybe", so a client is never left with a stale card.
 */
export class OwnerIndex {
  private readonly owners = new Map<string, Entry>();
  private readonly seededAt = new Map<string, string>();
  /** Counts resets, so that the owner of the index can tell it must seed again. */
  generation = 0;

  constructor(private readonly capacity = 200_000) {}

  /** The owner just before the notice at `checkpoint`, when the index knows it. */
  prior(leadId: string, checkpoint: string): Prior {
    const entry = this.owners.get(leadId);
    return entry && entry.at < checkpoint ? { owner: entry.owner } : 'unknown';
  }

  /** The lead's owner after the notice at `checkpoint`; undefined when the lead is gone. */
  record(leadId: string, owner: string | null | undefined, checkpoint: string): void {
    if (owner === undefined) this.owners.delete(leadId);
    else this.owners.set(leadId, { owner, at: checkpoint });
    this.bound();
  }

  isSeeded(key: string): boolean {
    return this.seededAt.has(key);
  }

  /** Every lead the key owned at the seed's checkpoint; facts recorded from notices are kept. */
  seed(key: string, leadIds: string[], checkpoint: string): void {
    const owner = key === UNASSIGNED ? null : key;
    for (const id of leadIds) if (!this.owners.has(id)) this.owners.set(id, { owner, at: checkpoint });
    this.seededAt.set(key, checkpoint);
    this.bound();
  }

  /** For a lead whose prior is unknown: could `key` have owned it just before the notice at `checkpoint`? */
  maybeOwnedBy(key: string, checkpoint: string): boolean {
    const since = this.seededAt.get(key);
    return since === undefined || since >= checkpoint;
  }

  /** Whether the lead was visible before the notice to a viewer of the given owner keys. */
  wasOwnedByAny(prior: Prior, keys: string[], checkpoint: string): boolean {
    if (prior === 'unknown') return keys.some((k) => this.maybeOwnedBy(k, checkpoint));
    return keys.includes(prior.owner ?? UNASSIGNED);
  }

  /** Forgets everything (notices were lost, or the index grew too large); answers become "maybe". */
  reset(): void {
    this.owners.clear();
    this.seededAt.clear();
    this.generation += 1;
  }

  private bound(): void {
    if (this.owners.size > this.capacity) this.reset();
  }
}
