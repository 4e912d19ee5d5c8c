export type BackoffOptions = { baseMs?: number; maxMs?: number };

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential, capped, with "equal jitter"
 * so that clients dropped together by a restart do not all come back in the same instant.
 */
export function reconnectDelay(attempt: number, random: () => number = Math.random, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 15_000;
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
