import { describe, expect, it } from 'vitest';
import { BackgroundTasks } from './background.ts';
import { createLogger } from './logger.ts';

describe('BackgroundTasks', () => {
  it('reports a failed task with its message and logs it, without rejecting', async () => {
    const lines: string[] = [];
    const tasks = new BackgroundTasks(createLogger('test', 'info', { write: (s: string) => lines.push(s) }));
    const ended = await tasks.run('demo-seed', async (progress) => {
      progress(3, 10);
      throw new Error('demo move: HTTP 400 body.stageId');
    });
    expect(ended).toMatchObject({ name: 'demo-seed', state: 'failed', error: 'demo move: HTTP 400 body.stageId', progress: { done: 3, total: 10 } });
    expect(tasks.list()).toEqual([ended]);
    expect(lines.join('')).toContain('background task demo-seed failed');
  });

  it('shows a running task with its progress, then done', async () => {
    const tasks = new BackgroundTasks(createLogger('test', 'silent'));
    let finish!: () => void;
    const ended = tasks.run('demo-seed', (progress) => {
      progress(1, 2);
      return new Promise<void>((r) => (finish = r));
    });
    expect(tasks.list()).toMatchObject([{ state: 'running', finishedAt: null, progress: { done: 1, total: 2 } }]);
    finish();
    expect(await ended).toMatchObject({ state: 'done', error: null });
  });
});
