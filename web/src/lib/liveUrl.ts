type Where = Pick<Location, 'protocol' | 'host'>;

/** Same-origin WebSocket URL; the token is a fallback for browsers that do not send the cookie on upgrade. */
export function liveUrl(where: Where, token: string | null): string {
  const scheme = where.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${scheme}//${where.host}/api/live${query}`;
}
