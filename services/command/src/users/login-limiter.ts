export type LoginLimits = { windowMs: number; failuresPerAccount: number; attemptsPerAddress: number };

export const defaultLoginLimits: LoginLimits = { windowMs: 15 * 60_000, failuresPerAccount: 10, attemptsPerAddress: 30 };

const MAX_TRACKED = 50_000;

/**
 * Login throttling, in memory and therefore per replica: N replicas allow up to N times the
 * limits. Per account it counts failed attempts (a success clears them); per address, every attempt.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly attempts = new Map<string, number[]>();

  constructor(private readonly limits: LoginLimits = defaultLoginLimits, private readonly now: () => number = Date.now) {}

  /** Seconds until this account and address may try again; 0 when they may try now. */
  retryAfterSeconds(email: string, address: string): number {
    const t = this.now();
    const wait = Math.max(this.waitFor(this.failures, email, this.limits.failuresPerAccount, t), this.waitFor(this.attempts, address, this.limits.attemptsPerAddress, t));
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  recordAttempt(address: string): void {
    this.push(this.attempts, address);
  }

  recordFailure(email: string): void {
    this.push(this.failures, email);
  }

  recordSuccess(email: string): void {
    this.failures.delete(email);
  }

  private recent(map: Map<string, number[]>, key: string, t: number): number[] {
    const kept = (map.get(key) ?? []).filter((at) => at > t - this.limits.windowMs);
    if (kept.length) map.set(key, kept);
    else map.delete(key);
    return kept;
  }

  private waitFor(map: Map<string, number[]>, key: string, limit: number, t: number): number {
    const recent = this.recent(map, key, t);
    if (recent.length < limit) return 0;
    return recent[recent.length - limit] + this.limits.windowMs - t;
  }

  private push(map: Map<string, number[]>, key: string): void {
    const t = this.now();
    if (map.size >= MAX_TRACKED) this.sweep(map, t);
    map.set(key, [...this.recent(map, key, t), t]);
  }

  private sweep(map: Map<string, number[]>, t: number): void {
    for (const key of map.keys()) this.recent(map, key, t);
    // Still full of live entries (an attack from many keys): forget the oldest-inserted ones.
    for (const key of map.keys()) {
      if (map.size < MAX_TRACKED) break;
      map.delete(key);
    }
  }
}
