/**
 * Live first: while a projection that screens watch has a batch in hand, the others (history,
 * analytics) hold their next batch back, for at most `maxWaitMs`, so that during a burst the cores
 * go to what a user is waiting to see. Quiet systems never wait.
 */
export class LivePriority {
  private busy = 0;
  private waiters = new Set<() => void>();

  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await fn();
    } finally {
      this.busy--;
      if (this.busy === 0) {
        for (const release of this.waiters) release();
        this.waiters.clear();
      }
    }
  }

  quiet(maxWaitMs: number, signal: AbortSignal): Promise<void> {
    if (this.busy === 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      signal.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }
}
