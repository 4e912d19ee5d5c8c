import { concurrentGroups, type PlannedCommand } from './plan.ts';

export type CommandAnswer = { status: number; body: unknown };
/** Sends one HTTP request to the command service (fetch, or Fastify's inject). */
export type Send = (method: 'POST' | 'PUT', url: string, body: unknown, at: number) => Promise<CommandAnswer>;

export const requestFor = (cmd: PlannedCommand): { method: 'POST' | 'PUT'; url: string; body: unknown } =>
  cmd.kind === 'create'
    ? { method: 'POST', url: '/api/leads', body: cmd.body }
    : cmd.kind === 'move'
      ? { method: 'PUT', url: `/api/leads/${cmd.leadId}/move-stage`, body: cmd.body }
      : { method: 'POST', url: '/api/leads/assign', body: cmd.body };

export type CommandRunResult = { commands: number; ms: number; lastCheckpoint: string };

/**
 * Writes the plan through the real command path, `concurrency` commands at a time (never two on
 * the same lead or its drop neighbour at once). Any answer other than 2xx stops the run.
 */
export async function writeThroughCommands(
  commands: Iterable<PlannedCommand>,
  send: Send,
  options: { concurrency?: number; afterEach?: (checkpoint: string) => Promise<void>; onProgress?: (done: number) => void } = {},
): Promise<CommandRunResult> {
  const started = performance.now();
  let done = 0;
  let lastCheckpoint = '';
  for (const group of concurrentGroups(commands, options.concurrency ?? 8)) {
    await Promise.all(
      group.map(async (cmd) => {
        const req = requestFor(cmd);
        const res = await send(req.method, req.url, req.body, cmd.at);
        if (res.status < 200 || res.status >= 300) throw new Error(`${cmd.kind} ${cmd.leadId}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
        const cp = (res.body as { checkpoint?: string }).checkpoint ?? '';
        if (cp > lastCheckpoint) lastCheckpoint = cp;
      }),
    );
    if (options.afterEach) await options.afterEach(lastCheckpoint);
    done += group.length;
    options.onProgress?.(done);
  }
  return { commands: done, ms: performance.now() - started, lastCheckpoint };
}
