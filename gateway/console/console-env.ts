// What the console's handlers read from the request context, on top of the gateway's own.
import type { Context } from 'hono';
import type { ConsoleViewer } from '../../services/console-access.ts';
import type { GatewayEnv } from '../context.ts';

export type ConsoleEnv = {
  Variables: GatewayEnv['Variables'] & {
    /** Who is signed in; set on every page but the sign-in page and the assets. */
    viewer: ConsoleViewer;
    /** The session's CSRF token, written into every form. */
    csrfToken: string;
    sessionToken: string;
    /** A POST's form fields, read once and CSRF-checked before the handler. */
    form: Record<string, string>;
  };
};

export type ConsoleContext = Context<ConsoleEnv>;

export interface ConsoleOptions {
  /** Cookies with `Secure`: everywhere but a developer's own machine over plain HTTP. */
  secureCookies: boolean;
  /** A transfer's page links to its workflow here, when given. */
  temporalUi: { url: string; namespace: string } | null;
}

/** The peer's address (the proxy's, behind one): the sign-in throttle's second key. */
export function clientAddress(c: ConsoleContext): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}
