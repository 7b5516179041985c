// logger.ts: the logger client components fall back to when none is injected.
import { destination, pino, type Logger } from 'pino';

/** defaultLogger returns a pino logger on stderr for a component (level from SKIFF_LOG_LEVEL, default info). */
export function defaultLogger(component: string): Logger {
  return pino({ name: component, level: process.env.SKIFF_LOG_LEVEL ?? 'info' }, destination(2));
}

/** silentLogger discards everything (for tests that do not inspect logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

export type { Logger };
