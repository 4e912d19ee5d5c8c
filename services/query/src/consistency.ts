import type pg from 'pg';
import { readProjectionStates } from './read/projectionState.ts';

export type QueryMeta = { checkpoint: string; stale: boolean };

export const MIN_CHECKPOINT_WAIT_MS = 2_000;

type Waiter = { projections: string[]; min: string; settle: () => void };

/**
 * The latest checkpoint of each projection, kept in memory from the change feed (and from
 * `projector.projections` on every (re)connection), so that a query can wait for
 * `minCheckpoint` without polling. Checkpoints compare as plain strings.
 */
export class CheckpointTracker {
  private readonly latest = new Map<string, string>();
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly pool: pg.Pool, private readonly waitMs = MIN_CHECKPOINT_WAIT_MS) {}

  advance(projection: string, checkpoint: string): void {
    if (checkpoint > (this.latest.get(projection) ?? '')) {
      this.latest.set(projection, checkpoint);
      this.wake();
    }
  }

  /** Reads every projection's checkpoint from the database (notices may have been missed). */
  async refresh(): Promise<void> {
    const states = await readProjectionStates(this.pool);
    for (const s of states ?? []) this.advance(s.name, s.checkpoint);
  }

  /** The least checkpoint among the projections: everything they show is at least this recent. */
  current(projections: string[]): string {
    let least: string | null = null;
    for (const p of projections) {
      const cp = this.latest.get(p) ?? '';
      if (least === null || cp < least) least = cp;
    }
    return least ?? '';
  }

  /** The greatest checkpoint known for any projection. */
  newest(): string {
    let most = '';
    for (const cp of this.latest.values()) if (cp > most) most = cp;
    return most;
  }

  reached(projections: string[], min: string): boolean {
    return projections.every((p) => (this.latest.get(p) ?? '') >= min);
  }

  /**
   * Resolves as soon as every projection has reached `min`, or after the wait limit with
   * `stale: true` (after one last look at the database, in case a notice was lost).
   */
  async waitFor(projections: string[], min: string | undefined): Promise<QueryMeta> {
    if (min === undefined || this.reached(projections, min)) return { checkpoint: this.current(projections), stale: false };
    const reachedNow = await new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        projections,
        min,
        settle: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(false);
      }, this.waitMs);
      this.waiters.add(waiter);
    });
    if (!reachedNow) await this.refresh().catch(() => {});
    return { checkpoint: this.current(projections), stale: !this.reached(projections, min) };
  }

  /** Lets every pending wait answer now (on shutdown). */
  releaseAll(): void {
    for (const w of [...this.waiters]) w.settle();
  }

  private wake(): void {
    for (const w of [...this.waiters]) if (this.reached(w.projections, w.min)) w.settle();
  }
}
