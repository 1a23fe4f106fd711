import { AsyncLocalStorage } from 'node:async_hooks';
import type { LoggerService } from '@nestjs/common';
import pino from 'pino';
import { LOG_LEVELS, type LogLevel } from '@app/database';

/** The request a log line belongs to; set for the whole of a request by installRequestContext. */
export const logContext = new AsyncLocalStorage<{ requestId: string }>();

export type LogFormat = 'json' | 'pretty';

/** JSON in production (`NODE_ENV=production`) or with `LOG_FORMAT=json`; readable lines otherwise. */
export function logFormat(env: NodeJS.ProcessEnv = process.env): LogFormat {
  const explicit = env.LOG_FORMAT?.trim().toLowerCase();
  if (explicit === 'json' || explicit === 'pretty') return explicit;
  return env.NODE_ENV === 'production' ? 'json' : 'pretty';
}

const PINO_LEVEL: Record<LogLevel | 'fatal', pino.Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * Never logged, whatever a caller passes as a structured field: credentials and request/response bodies (which
 * carry the names of the people a lead concerns). Messages are the callers' own strings; no caller puts a body
 * or a personal-data value in one.
 */
export const REDACT_PATHS = [
  'authorization',
  'password',
  'body',
  '*.authorization',
  '*.password',
  '*.body',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
];

type Level = LogLevel | 'fatal';

/** Nest's LoggerService over pino (JSON) or a small formatter (one readable line); the request id on every line. */
export class AppLogger implements LoggerService {
  private readonly enabled: Set<Level>;
  private readonly pino: pino.Logger | undefined;
  private readonly color: boolean;

  constructor(
    level: LogLevel,
    private readonly format: LogFormat = logFormat(),
    private readonly write: (line: string) => void = (line) => void process.stdout.write(line),
  ) {
    this.enabled = new Set<Level>(['fatal', ...LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1)]);
    this.color = format === 'pretty' && process.stdout.isTTY === true && !process.env.NO_COLOR;
    if (format === 'json') {
      this.pino = pino(
        {
          level: PINO_LEVEL[level],
          base: { pid: process.pid },
          timestamp: pino.stdTimeFunctions.isoTime,
          redact: { paths: REDACT_PATHS, censor: '[redacted]' },
          formatters: { level: (label) => ({ level: label }) },
        },
        { write: (s: string) => this.write(s) },
      );
    }
  }

  log(message: unknown, ...rest: unknown[]) {
    this.emit('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.emit('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.emit('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]) {
    this.emit('fatal', message, rest);
  }

  /** Structured fields for a line (e.g. an access log); redacted like everything else. */
  fields(level: LogLevel, context: string, msg: string, fields: Record<string, unknown>) {
    if (!this.enabled.has(level)) return;
    this.line(level, context, msg, fields, undefined);
  }

  private emit(level: Level, message: unknown, rest: unknown[]) {
    if (!this.enabled.has(level)) return;
    // Nest's convention: the last string argument is the context; for errors, a stack may come before it.
    const args = [...rest];
    const context = typeof args[args.length - 1] === 'string' ? (args.pop() as string) : undefined;
    let stack: string | undefined;
    if (level === 'error' && typeof args[0] === 'string' && args[0].includes('\n    at '))
      stack = args.shift() as string;
    let msg: string;
    let fields: Record<string, unknown> = {};
    if (message instanceof Error) {
      msg = message.message;
      stack ??= message.stack;
    } else if (typeof message === 'object' && message !== null) {
      fields = { ...(message as Record<string, unknown>) };
      msg = typeof fields.msg === 'string' ? fields.msg : '';
      delete fields.msg;
    } else {
      msg = String(message);
    }
    this.line(level, context, msg, fields, stack);
  }

  private line(
    level: Level,
    context: string | undefined,
    msg: string,
    fields: Record<string, unknown>,
    stack?: string,
  ) {
    const requestId = logContext.getStore()?.requestId;
    if (this.pino) {
      this.pino[PINO_LEVEL[level]](
        { ...fields, ...(context && { context }), ...(requestId && { requestId }), ...(stack && { stack }) },
        msg,
      );
      return;
    }
    const time = new Date().toISOString().slice(11, 23);
    const label = level.toUpperCase().padEnd(7);
    const paint = (code: number, s: string) => (this.color ? `\x1b[${code}m${s}\x1b[0m` : s);
    const tint = level === 'error' || level === 'fatal' ? 31 : level === 'warn' ? 33 : level === 'log' ? 32 : 90;
    const extra = Object.entries(redactFields(fields))
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const parts = [
      time,
      paint(tint, label),
      context ? paint(33, `[${context}]`) : '',
      msg,
      extra,
      requestId ? paint(90, `req=${requestId}`) : '',
    ];
    this.write(parts.filter(Boolean).join(' ') + '\n' + (stack ? `${stack}\n` : ''));
  }
}

function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = ['authorization', 'password', 'body', 'cookie'].includes(k.toLowerCase()) ? '[redacted]' : v;
  }
  return out;
}

let shared: AppLogger | undefined;

/** The process's logger (one instance, so that Nest's static Logger and the app's write alike). */
export function appLogger(level: LogLevel): AppLogger {
  shared = new AppLogger(level);
  return shared;
}
