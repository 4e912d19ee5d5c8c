/** Checkpoints are fixed-width digit strings: lexical order is log order, and '' is the start of the log. */
export function isOlderCheckpoint(candidate: string, than: string): boolean {
  return candidate < than;
}

export function laterCheckpoint(a: string, b: string): string {
  return a < b ? b : a;
}

/** True once `current` is at or past `target`. */
export function hasReached(current: string, target: string): boolean {
  return current >= target;
}
