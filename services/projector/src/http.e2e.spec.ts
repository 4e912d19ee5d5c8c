import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjector, type Projector } from './engine/projector.ts';
import { startMetricsServer, type MetricsServer } from './http.ts';
import { append, newEvent } from './test-support/events.ts';
import { projectorHarness, waitFor, type ProjectorHarness } from './test-support/harness.ts';
import { seedHistory } from './test-support/seed.ts';

describe('projector metrics and health endpoint', () => {
  let h: ProjectorHarness;
  let projector: Projector;
  let server: MetricsServer;
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`);
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
  };

  beforeAll(async () => {
    h = await projectorHarness();
    projector = await startProjector(h.deps);
    server = await startMetricsServer(projector, 0, '127.0.0.1');
  });
  afterAll(async () => {
    await server?.close();
    await projector?.stop();
    await h?.dispose();
  });

  it('is healthy while every projection runs and exposes the projection metrics', async () => {
    await seedHistory(h.store, 2);
    const health = await waitFor(async () => {
      const r = await get('/health');
      return r.status === 200 && JSON.parse(r.body).projections.every((p: { instance: string }) => p.instance === 'active') ? r : undefined;
    }, 'healthy');
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
    const metrics = await waitFor(async () => {
      const r = await get('/metrics');
      // The lag gauge is set by a periodic measurement and the counter as batches apply: wait for both.
      const ready = r.body.includes('leadline_projection_events_total{projection="users"}') && r.body.includes('leadline_projection_lag_events{projection="lead_cards"}');
      return ready ? r : undefined;
    }, 'metrics');
    expect(metrics.body).toMatch(/leadline_projection_events_total\{projection="users"\} [1-9]/);
    expect((await get('/nope')).status).toBe(404);
  });

  it('answers 503 naming the poison event once a projection is stopped by one', async () => {
    const poison = newEvent('UserCreated', { userId: crypto.randomUUID(), email: 'x@example.com', name: 'X', role: 'rep' });
    poison.data = { ...(poison.data as object), role: 'emperor' };
    await append(h.store, `user-${crypto.randomUUID()}`, poison);
    const health = await waitFor(async () => {
      const r = await get('/health');
      return r.status === 503 ? r : undefined;
    }, 'unhealthy');
    const body = JSON.parse(health.body);
    expect(body.status).toBe('failed');
    expect(body.projections.find((p: { name: string }) => p.name === 'users')).toMatchObject({ status: 'failed', failedEventId: poison.eventId });
    expect(body.projections.find((p: { name: string }) => p.name === 'lead_cards')).toMatchObject({ status: 'running' });
  });
});
