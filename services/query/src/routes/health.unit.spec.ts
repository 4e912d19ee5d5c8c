import { describe, expect, it } from 'vitest';
import type { ProjectionState } from '../read/projectionState.ts';
import { assessHealth } from './health.ts';

const state = (name: string, over: Partial<ProjectionState> = {}): ProjectionState => ({
  name,
  status: 'running',
  checkpoint: '1'.padStart(40, '0'),
  error: null,
  failedEventId: null,
  heartbeatAt: '2026-11-24T10:00:00.000Z',
  alive: true,
  ...over,
});

describe('assessHealth', () => {
  const expected = ['users', 'lead_cards'];

  it('is unavailable before the projector table exists or while a projection has no row', () => {
    expect(assessHealth(null, expected)).toHaveProperty('unavailable');
    expect(assessHealth([state('users')], expected)).toEqual({ unavailable: 'projections not started: lead_cards' });
  });

  it('is unavailable when a running projection has no recent heartbeat', () => {
    expect(assessHealth([state('users'), state('lead_cards', { alive: false })], expected)).toHaveProperty('unavailable');
  });

  it('is ok when every projection heartbeats, degraded when one failed', () => {
    expect(assessHealth([state('users'), state('lead_cards')], expected)).toMatchObject({ health: { status: 'ok' } });
    const failed = state('lead_cards', { status: 'failed', alive: false, error: 'boom', failedEventId: '0f8fad5b-d9cb-469f-a165-70867728950e' });
    expect(assessHealth([state('users'), failed], expected)).toMatchObject({
      health: { status: 'degraded', projections: [{ name: 'users' }, { name: 'lead_cards', status: 'failed', error: 'boom', failedEventId: failed.failedEventId }] },
    });
  });

  it('shows a rebuild in progress with its events done, total, rate and ETA', () => {
    const progress = { processed: 40_000, total: 100_000, eventsPerSecond: 20_000, etaSeconds: 3 };
    const verdict = assessHealth([state('users', { status: 'rebuilding' }), state('lead_cards')], expected, new Map([['users', progress]]));
    expect(verdict).toMatchObject({ health: { status: 'ok', projections: [{ name: 'users', status: 'rebuilding', rebuild: progress }, { name: 'lead_cards', rebuild: null }] } });
  });

  it('reports a failed background task as degraded, with its error, while the projections are fine', () => {
    const task = (state: 'running' | 'done' | 'failed') => ({ name: 'demo-seed', state, startedAt: '2026-12-02T10:00:00.000Z', finishedAt: null, error: state === 'failed' ? 'demo move: HTTP 400' : null, progress: { done: 10, total: 40 } });
    const fine = [state('users'), state('lead_cards')];
    expect(assessHealth(fine, expected, new Map(), [task('running')])).toMatchObject({ health: { status: 'ok', background: [{ name: 'demo-seed', state: 'running', progress: { done: 10, total: 40 } }] } });
    expect(assessHealth(fine, expected, new Map(), [task('failed')])).toMatchObject({ health: { status: 'degraded', background: [{ state: 'failed', error: 'demo move: HTTP 400' }] } });
    expect(assessHealth(fine, expected)).toMatchObject({ health: { status: 'ok', background: [] } });
  });
});
