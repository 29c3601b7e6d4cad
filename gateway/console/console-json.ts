// The JSON endpoints next to the console's pages: the page's figures for scripts and people, with
// bigints as decimal strings (JSON numbers would round points and money past 2^53).
import type { ConsoleContext } from './console-env.ts';

export function consoleJson(c: ConsoleContext, value: unknown): Response {
  const body = JSON.stringify(value, (_key, item) => (typeof item === 'bigint' ? String(item) : item));
  return c.body(body, 200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
}
