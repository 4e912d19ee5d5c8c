import type { HandlerContext, Queryable } from './types.ts';

type Entry = { value: unknown; ctx: HandlerContext; flush: (ctx: HandlerContext, value: unknown) => Promise<void> };

/**
 * Per-batch accumulators of handlers (`ctx.deferred`): created on first use in a batch and written
 * by their `flush`, in first-use order, before the batch saves its checkpoint, so the writes still
 * commit in the checkpoint's transaction. When poison isolation replays a batch event by event,
 * they are flushed after every event, inside its savepoint.
 */
export class DeferredWork {
  private readonly entries = new Map<string, Entry>();

  get<T>(ctx: HandlerContext, key: string, create: () => T, flush: (ctx: HandlerContext, value: T) => Promise<void>): T {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { value: create(), ctx, flush: flush as Entry['flush'] };
      this.entries.set(key, entry);
    }
    return entry.value as T;
  }

  async flush(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const e of entries) await e.flush(e.ctx, e.value);
  }
}

/** A handler context for one batch (or one event while isolating poison) with its deferred work. */
export function handlerContext(db: Queryable, table: (name: string) => string, changed: HandlerContext['changed']): { ctx: HandlerContext; work: DeferredWork } {
  const work = new DeferredWork();
  const ctx: HandlerContext = {
    db,
    table,
    changed,
    deferred: (key, create, flush) => work.get(ctx, key, create, flush),
    flush: () => work.flush(),
  };
  return { ctx, work };
}
