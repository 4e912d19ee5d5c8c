export type WakeSource = 'store' | 'peer';
export type WaitOutcome = WakeSource | 'timeout';

/**
 * Wake-ups for idle runners: from the store (new events were appended) or from a peer runner of
 * this process (it committed a batch, so events held behind its transaction may now be readable).
 * A runner takes a ticket before it reads; a wake-up that arrives between its read and its wait is
 * not lost, because the ticket is then already stale.
 */
export class Waker {
  private seq = 0;
  private lastStoreSeq = 0;
  private readonly waiters = new Set<(source: WakeSource) => void>();

  ticket(): number {
    return this.seq;
  }

  wake(source: WakeSource): void {
    this.seq++;
    if (source === 'store') this.lastStoreSeq = this.seq;
    for (const notify of this.waiters) notify(source);
    this.waiters.clear();
  }

  /** Resolves with the source of a wake-up since the ticket was taken, else 'timeout' after ms (or on abort). */
  wait(ticket: number, ms: number, signal: AbortSignal): Promise<WaitOutcome> {
    if (this.lastStoreSeq > ticket) return Promise.resolve('store');
    if (this.seq > ticket) return Promise.resolve('peer');
    if (signal.aborted) return Promise.resolve('timeout');
    return new Promise((resolve) => {
      const finish = (outcome: WaitOutcome) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.waiters.delete(finish);
        resolve(outcome);
      };
      const onAbort = () => finish('timeout');
      const timer = setTimeout(() => finish('timeout'), ms);
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(finish);
    });
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
