import type { Logger } from './logger.ts';

export type BackgroundTaskState = 'running' | 'done' | 'failed';

export type BackgroundTask = {
  name: string;
  state: BackgroundTaskState;
  startedAt: string;
  finishedAt: string | null;
  /** For a person: what failed (never a stack trace; that goes to the log). */
  error: string | null;
  /** Units of work done / planned, when the task knows them. */
  progress: { done: number; total: number } | null;
};

export type TaskProgress = (done: number, total: number) => void;

/**
 * One-off work the server does beside serving (the demo seeding today). A task that fails is logged
 * and reported in `/api/health`; it never stops the process, because users are already being served.
 */
export class BackgroundTasks {
  private readonly tasks = new Map<string, BackgroundTask>();

  constructor(private readonly log: Logger) {}

  /** Starts `work` and returns at once; the returned promise settles when it ends and never rejects. */
  run(name: string, work: (progress: TaskProgress) => Promise<void>): Promise<BackgroundTask> {
    const task: BackgroundTask = { name, state: 'running', startedAt: new Date().toISOString(), finishedAt: null, error: null, progress: null };
    this.tasks.set(name, task);
    const progress: TaskProgress = (done, total) => {
      task.progress = { done, total };
    };
    return work(progress).then(
      () => {
        task.state = 'done';
        task.finishedAt = new Date().toISOString();
        return task;
      },
      (err: unknown) => {
        task.state = 'failed';
        task.finishedAt = new Date().toISOString();
        task.error = err instanceof Error ? err.message : String(err);
        this.log.error({ err, task: name }, `background task ${name} failed; the server keeps serving`);
        return task;
      },
    );
  }

  list(): BackgroundTask[] {
    return [...this.tasks.values()].map((t) => ({ ...t, progress: t.progress && { ...t.progress } }));
  }
}
