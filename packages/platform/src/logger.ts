import pino from 'pino';

export type Logger = pino.Logger;

/** Secrets that may travel in a URL (the WebSocket `?token=` fallback) never reach the logs. */
export const redactUrl = (url: string): string => url.replace(/([?&](?:token|password)=)[^&#]*/gi, '$1[redacted]');

type RequestLike = { method?: string; url?: string; ip?: string; headers?: Record<string, unknown>; socket?: { remotePort?: number } };

export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): pino.Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.passwordHash', '*.token'], censor: '[redacted]' },
    serializers: {
      req: (req: RequestLike) => ({ method: req.method, url: redactUrl(req.url ?? ''), remoteAddress: req.ip, remotePort: req.socket?.remotePort }),
      err: pino.stdSerializers.err,
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
