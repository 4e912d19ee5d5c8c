import net from 'node:net';

export type RespReply = { ok: true; value: string } | { ok: false; error: string };

const encode = (args: string[]): string => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

/** Parses the complete replies at the start of buf (simple strings, errors, integers, bulk strings). */
function parseReplies(buf: Buffer): { replies: RespReply[]; rest: Buffer } {
  const replies: RespReply[] = [];
  let at = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) break;
    const kind = String.fromCharCode(buf[at]);
    const line = buf.toString('utf8', at + 1, eol);
    if (kind === '$') {
      const length = Number(line);
      if (length < 0) {
        replies.push({ ok: true, value: '' });
        at = eol + 2;
        continue;
      }
      if (buf.length < eol + 2 + length + 2) break;
      replies.push({ ok: true, value: buf.toString('utf8', eol + 2, eol + 2 + length) });
      at = eol + 2 + length + 2;
    } else {
      replies.push(kind === '-' ? { ok: false, error: line } : { ok: true, value: line });
      at = eol + 2;
    }
  }
  return { replies, rest: buf.subarray(at) };
}

/**
 * Sends commands on a fresh connection and collects their replies; resolves early when the server
 * closes the connection (SHUTDOWN answers nothing). For the embedded server's lifecycle (ready
 * check, shutdown), where a client library's reconnects and offline queue would only get in the way.
 */
export function sendRedisCommands(port: number, commands: string[][], options: { host?: string; timeoutMs?: number } = {}): Promise<RespReply[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: options.host ?? '127.0.0.1' });
    const replies: RespReply[] = [];
    let pending: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`redis at port ${port} did not answer within ${options.timeoutMs ?? 2000} ms`));
    }, options.timeoutMs ?? 2000);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(replies);
    };
    socket.on('connect', () => socket.write(commands.map(encode).join('')));
    socket.on('data', (chunk) => {
      const parsed = parseReplies(Buffer.concat([pending, chunk]));
      replies.push(...parsed.replies);
      pending = parsed.rest;
      if (replies.length >= commands.length) finish();
    });
    socket.on('close', finish);
    socket.on('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
  });
}
