import { liveCloseCodes, serverMessage, type ServerMessage } from '@leadline/contracts';
import { getCurrentScope, onScopeDispose, ref } from 'vue';
import { reconnectDelay } from '../lib/backoff.ts';
import { liveUrl } from '../lib/liveUrl.ts';
import { useAuthStore } from '../stores/auth.ts';
import { sessionEnded } from './useApi.ts';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

type Msg<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

export type LiveOptions = {
  channels: string[];
  /** The checkpoint the client has: sent on (re)subscribe so the server replays what was missed. */
  lastCheckpoint: () => string | undefined;
  token: () => string | null;
  onChange: (message: Msg<'change'>) => void;
  onRefetch: (message: Msg<'refetch'>) => void;
  /** A followed lead's timeline changed: fetch what changed since your last checkpoint. */
  onTimeline?: (message: Msg<'timeline'>) => void;
  onError?: (message: string) => void;
};

/** The server heartbeats; this long without any message means the connection is dead even if TCP has not noticed. */
const SILENCE_LIMIT_MS = 45_000;

export function useLive(options: LiveOptions) {
  const status = ref<LiveStatus>('offline');
  let socket: WebSocket | null = null;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let silenceTimer: ReturnType<typeof setTimeout> | null = null;
  let running = false;

  function clearTimers() {
    if (retryTimer) clearTimeout(retryTimer);
    if (silenceTimer) clearTimeout(silenceTimer);
    retryTimer = silenceTimer = null;
  }

  function watchSilence(ws: WebSocket) {
    if (silenceTimer) clearTimeout(silenceTimer);
    silenceTimer = setTimeout(() => ws.close(4000, 'silent'), SILENCE_LIMIT_MS);
  }

  function handle(ws: WebSocket, raw: unknown) {
    watchSilence(ws);
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(raw));
    } catch {
      return;
    }
    const result = serverMessage.safeParse(parsed);
    if (!result.success) return;
    const message = result.data;
    switch (message.type) {
      case 'ready': {
        attempt = 0;
        status.value = 'live';
        const last = options.lastCheckpoint();
        ws.send(JSON.stringify({ type: 'subscribe', channels: options.channels, ...(last ? { lastCheckpoint: last } : {}) }));
        return;
      }
      case 'subscribed':
      case 'heartbeat':
        return;
      case 'change':
        options.onChange(message);
        return;
      case 'refetch':
        options.onRefetch(message);
        return;
      case 'timeline':
        options.onTimeline?.(message);
        return;
      case 'error':
        options.onError?.(message.message);
        return;
      default: {
        const _exhaustive: never = message;
        return _exhaustive;
      }
    }
  }

  function connect() {
    if (!running) return;
    status.value = attempt === 0 && status.value !== 'reconnecting' ? 'connecting' : 'reconnecting';
    const ws = new WebSocket(liveUrl(window.location, options.token()));
    socket = ws;
    watchSilence(ws);
    ws.onmessage = (event) => handle(ws, event.data);
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      clearTimers();
      if (running && event.code === liveCloseCodes.sessionEnded) {
        // Signed out, revoked, disabled or expired: back to the sign-in page, no reconnecting.
        running = false;
        sessionEnded();
      }
      if (!running) {
        status.value = 'offline';
        return;
      }
      status.value = 'reconnecting';
      if (event.code === liveCloseCodes.accountChanged) {
        // The role or team changed: reconnect at once with the new permissions, and show them.
        attempt = 0;
        void useAuthStore().refresh();
        retryTimer = setTimeout(connect, 0);
        return;
      }
      retryTimer = setTimeout(connect, reconnectDelay(attempt++));
    };
  }

  function reconnectNow() {
    if (!running || status.value === 'live') return;
    attempt = 0;
    clearTimers();
    if (socket) socket.close();
    else connect();
  }

  function start() {
    if (running) return;
    running = true;
    attempt = 0;
    window.addEventListener('online', reconnectNow);
    connect();
  }

  function stop() {
    running = false;
    window.removeEventListener('online', reconnectNow);
    clearTimers();
    const ws = socket;
    socket = null;
    ws?.close(1000, 'bye');
    status.value = 'offline';
  }

  if (getCurrentScope()) onScopeDispose(stop);

  return { status, start, stop };
}
