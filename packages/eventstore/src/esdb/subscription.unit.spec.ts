import { EventEmitter } from 'node:events';
import net from 'node:net';
import { CancelledError, UnavailableError, type AllStreamResolvedEvent } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';
import { encodeEsdbCheckpoint } from './mapping.ts';
import { EsdbEventStore } from './store.ts';
import { ResilientSubscription, type SubscribeFrom, type SubscriptionLike } from './subscription.ts';

/** A subscription the test drives: confirm, deliver events, fail. */
class ScriptedSubscription extends EventEmitter implements SubscriptionLike {
  unsubscribed = false;
  async unsubscribe() {
    this.unsubscribed = true;
  }
  deliver(commit: bigint) {
    const event = { streamId: 'lead-1', id: `e${commit}`, revision: 0n, type: 'LeadCreated', data: {}, created: new Date(0), isJson: true, position: { commit, prepare: commit } };
    this.emit('data', { event } as unknown as AllStreamResolvedEvent);
  }
}

function recordingLog() {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const at = (level: string) => (fields: object, msg: string) => lines.push({ level, msg, fields: fields as Record<string, unknown> });
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } };
}

/** Timers the test fires by hand, recording the requested delays. */
function manualTimers() {
  const pending: { fn: () => void; ms: number }[] = [];
  return {
    delays: [] as number[],
    pending,
    setTimer(fn: () => void, ms: number) {
      this.delays.push(ms);
      const t = { fn, ms };
      pending.push(t);
      return t;
    },
    clearTimer(t: unknown) {
      const i = pending.indexOf(t as never);
      if (i >= 0) pending.splice(i, 1);
    },
    fire() {
      const t = pending.shift();
      t?.fn();
    },
  };
}

const grpc14 = () => Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'No connection established', metadata: {} });

describe('backoff', () => {
  it('doubles from the initial delay and stops at the cap', () => {
    const policy = { initialMs: 100, maxMs: 1000 };
    expect([1, 2, 3, 4, 5, 6, 50].map((n) => backoffDelay(n, policy))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    expect(backoffDelay(0, policy)).toBe(0);
  });
});

describe('resilient $all subscription', () => {
  it('resubscribes after the last event received, with capped exponential backoff, and recovers', () => {
    const opened: { from: SubscribeFrom; sub: ScriptedSubscription }[] = [];
    const timers = manualTimers();
    const { lines, log } = recordingLog();
    let events = 0;
    let resubscribed = 0;
    const s = new ResilientSubscription({
      name: 'wake',
      from: 'end',
      open: (from) => {
        const sub = new ScriptedSubscription();
        opened.push({ from, sub });
        return sub;
      },
      onEvent: () => events++,
      onResubscribed: () => resubscribed++,
      log,
      backoff: { initialMs: 100, maxMs: 400 },
      setTimer: (fn, ms) => timers.setTimer(fn, ms),
      clearTimer: (t) => timers.clearTimer(t),
    });
    s.start();
    expect(s.health().status).toBe('connecting');
    opened[0].sub.emit('confirmation');
    expect(s.health()).toMatchObject({ status: 'live', attempt: 0 });
    opened[0].sub.deliver(700n);
    expect(events).toBe(1);

    // The server goes away: every shape of "unavailable" is retried, further apart each time, up to the cap.
    opened[0].sub.emit('error', new UnavailableError(undefined as never));
    expect(opened[0].sub.unsubscribed).toBe(true);
    expect(s.health()).toMatchObject({ status: 'reconnecting', attempt: 1, retryInMs: 100, checkpoint: encodeEsdbCheckpoint({ commit: 700n, prepare: 700n }) });
    timers.fire();
    opened[1].sub.emit('error', grpc14());
    timers.fire();
    opened[2].sub.emit('error', new CancelledError(undefined as never));
    timers.fire();
    opened[3].sub.emit('error', grpc14());
    expect(timers.delays).toEqual([100, 200, 400, 400]);
    expect(s.health()).toMatchObject({ status: 'reconnecting', attempt: 4, retryInMs: 400 });
    expect(lines.filter((l) => l.level === 'warn' && l.msg.includes('resubscribing'))).toHaveLength(4);

    // Every attempt starts after the last event received, not from the end again.
    for (const o of opened.slice(1)) expect(o.from).toEqual({ commit: 700n, prepare: 700n });

    // It comes back: live, the counter reset, readers woken to catch up, and the logs say so.
    timers.fire();
    opened[4].sub.emit('confirmation');
    expect(s.health()).toMatchObject({ status: 'live', attempt: 0, retryInMs: null, resubscriptions: 1 });
    expect(resubscribed).toBe(1);
    expect(lines.some((l) => l.level === 'info' && l.msg === 'event store subscription resubscribed')).toBe(true);
    opened[4].sub.deliver(800n);
    expect(events).toBe(2);

    // A late error from a subscription already replaced changes nothing.
    opened[1].sub.emit('error', grpc14());
    expect(s.health().status).toBe('live');
  });

  it('treats a subscription the server ends as dropped, and an unknown error as loud but retried at the cap', () => {
    const opened: ScriptedSubscription[] = [];
    const timers = manualTimers();
    const { lines, log } = recordingLog();
    const s = new ResilientSubscription({
      name: 'wake',
      from: 'start',
      open: () => {
        const sub = new ScriptedSubscription();
        opened.push(sub);
        return sub;
      },
      onEvent: () => {},
      log,
      backoff: { initialMs: 10, maxMs: 5000 },
      setTimer: (fn, ms) => timers.setTimer(fn, ms),
      clearTimer: (t) => timers.clearTimer(t),
    });
    s.start();
    opened[0].emit('end');
    opened[0].emit('close'); // the same drop, reported twice: one retry
    expect(timers.delays).toEqual([10]);
    timers.fire();
    opened[1].emit('error', new Error('access denied'));
    expect(timers.delays).toEqual([10, 5000]);
    expect(lines.at(-1)).toMatchObject({ level: 'error', msg: 'event store subscription failed; retrying' });
  });

  it('stops cleanly, cancelling a pending retry', async () => {
    const timers = manualTimers();
    const sub = new ScriptedSubscription();
    const s = new ResilientSubscription({ name: 'wake', from: 'end', open: () => sub, onEvent: () => {}, log: recordingLog().log, setTimer: (fn, ms) => timers.setTimer(fn, ms), clearTimer: (t) => timers.clearTimer(t) });
    s.start();
    sub.emit('error', grpc14());
    expect(timers.pending).toHaveLength(1);
    await s.stop();
    expect(timers.pending).toHaveLength(0);
    expect(s.health().status).toBe('stopped');
  });
});

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('the real client against a closed port', () => {
  it('keeps resubscribing with backoff and reports it in health and logs', async () => {
    const { lines, log } = recordingLog();
    const store = EsdbEventStore.connect(`esdb://127.0.0.1:${await closedPort()}?tls=false`, { log, backoff: { initialMs: 20, maxMs: 80 } });
    let woke = 0;
    const stop = await store.onAppended(() => woke++);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (store.health().subscriptions[0] as { attempt: number }).attempt < 3) await new Promise((r) => setTimeout(r, 20));
    const health = store.health();
    expect(health).toMatchObject({ kind: 'eventstoredb', status: 'reconnecting' });
    expect(health.subscriptions[0]).toMatchObject({ status: 'reconnecting', lastError: expect.stringMatching(/UNAVAILABLE|ECONNREFUSED/) });
    expect((health.subscriptions[0] as { attempt: number }).attempt).toBeGreaterThanOrEqual(3);
    expect(lines.filter((l) => l.msg.includes('resubscribing')).map((l) => l.fields.retryInMs).slice(0, 3)).toEqual([20, 40, 80]);
    expect(woke).toBe(0);
    await stop();
    await store.close();
  });
});
