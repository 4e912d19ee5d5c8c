/**
 * A lazy page's file the server no longer has: the app was rebuilt or redeployed since this page
 * loaded, and its content-hashed file names changed. The messages are Chrome's, Firefox's,
 * Safari's and Vite's (a page's CSS).
 */
export function isStaleChunkError(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /Failed to fetch dynamically imported module|error loading dynamically imported module|Importing a module script failed|Unable to preload CSS/i.test(message);
}

export type ChunkReload = { path: string; at: number };

/**
 * Whether to load `path` afresh (new index.html, new file names). Not when the same path was
 * reloaded for this reason a moment ago: then the build itself is broken, and reloading would loop.
 */
export function shouldReloadFor(last: ChunkReload | null, path: string, now: number, withinMs = 10_000): boolean {
  return !last || last.path !== path || now - last.at >= withinMs;
}
