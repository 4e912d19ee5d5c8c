import { clientMessage, type ClientMessage, type ServerMessage } from '@leadline/contracts';
import type { WebSocket } from 'ws';

/** A client that stops reading is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export type RawMessage = Buffer | ArrayBuffer | Buffer[];

/** A client message, or the reason it was refused (the socket stays open either way). */
export function parseClientMessage(data: RawMessage, isBinary: boolean): { message: ClientMessage } | { error: string } {
  let parsed: unknown;
  try {
    if (isBinary) throw new Error('binary');
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    parsed = JSON.parse(text);
  } catch {
    return { error: 'messages must be JSON text' };
  }
  const result = clientMessage.safeParse(parsed);
  if (result.success) return { message: result.data };
  return { error: `invalid message: ${result.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ')}` };
}

export function sendMessage(socket: WebSocket, message: ServerMessage): void {
  if (socket.readyState !== socket.OPEN) return;
  if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
    socket.close(1013, 'client too slow');
    return;
  }
  socket.send(JSON.stringify(message));
}
