// Serves the gateway's app over HTTP. Node's own parser refuses some requests before the app sees
// them (a control character in a header, headers over the size limit); without a handler Node
// answers a bare 400 with no body and no request id, so those refusals are rendered here as the same
// problem+json the app sends.
import { randomUUID } from 'node:crypto';
import type { ServerOptions } from 'node:http';
import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { serve } from '@hono/node-server';
import { type FieldError, ProblemError } from '../domain/errors.ts';
import type { Logger } from '../runtime/logger.ts';
import { problemBody, problemMediaType } from './problem.ts';

export interface ListeningGateway {
  url: string;
  server: Server<typeof IncomingMessage, typeof ServerResponse>;
  close(): Promise<void>;
}

export interface ListenOptions {
  hostname: string;
  port: number;
  serverOptions?: ServerOptions;
  logger?: Logger;
}

/** Listens with `app.fetch` and answers Node's parse errors as problem+json. */
export async function listenGateway(
  app: { fetch: (request: Request) => Response | Promise<Response> },
  options: ListenOptions,
): Promise<ListeningGateway> {
  const { server, address } = await new Promise<{ server: ReturnType<typeof serve>; address: AddressInfo }>(
    (resolve) => {
      const server = serve(
        {
          fetch: app.fetch,
          hostname: options.hostname,
          port: options.port,
          ...(options.serverOptions ? { serverOptions: options.serverOptions } : {}),
        },
        (info) => resolve({ server, address: info }),
      );
    },
  );
  const httpServer = server as Server;
  httpServer.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) =>
    answerClientError(error, socket, options.logger),
  );
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server: httpServer,
    close: async () => {
      const closed = new Promise<void>((resolve, reject) =>
        httpServer.close((error) => (error ? reject(error) : resolve())),
      );
      // Idle keep-alive connections would hold the close up; requests in flight still finish.
      httpServer.closeIdleConnections();
      await closed;
    },
  };
}

const headerLimitCodes = new Set(['HPE_HEADER_OVERFLOW']);
const timeoutCodes = new Set(['ERR_HTTP_REQUEST_TIMEOUT', 'HPE_HEADER_TIMEOUT']);

function answerClientError(
  error: NodeJS.ErrnoException & { rawPacket?: Buffer },
  socket: Socket,
  logger: Logger | undefined,
): void {
  // A connection the client already dropped, or one that has started another response, cannot take one.
  if (error.code === 'ECONNRESET' || !socket.writable || socketHasResponse(socket)) {
    socket.destroy();
    return;
  }
  const requestId = randomUUID();
  const packet = error.rawPacket?.toString('latin1') ?? '';
  const problem = problemFor(error.code ?? '', packet);
  logger?.warn(
    { requestId, parserError: error.code, status: problem.status },
    'refused an unparsable request',
  );
  const body = JSON.stringify(problemBody(problem, requestTarget(packet), requestId));
  socket.end(
    [
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}`,
      `Content-Type: ${problemMediaType}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      `X-Request-Id: ${requestId}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}

function socketHasResponse(socket: Socket): boolean {
  const message = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  return message?.headersSent === true;
}

function problemFor(parserCode: string, packet: string): ProblemError {
  if (headerLimitCodes.has(parserCode)) {
    return new ProblemError('request_headers_too_large', 'The request headers are larger than we accept.');
  }
  if (timeoutCodes.has(parserCode)) {
    return new ProblemError('request_timeout', 'The request did not arrive in time.');
  }
  const field = invalidHeader(packet);
  if (field) {
    return new ProblemError('validation_failed', `Invalid value for ${field.field}.`, [field]);
  }
  return new ProblemError('malformed_request', 'The request is not well-formed HTTP/1.1.');
}

// A header line's name is a token; its value is visible characters, spaces and tabs (RFC 9110).
const tokenPattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const controlPattern = /[\x00-\x08\x0a-\x1f\x7f]/;

/** The first header Node refused, from the bytes it had read, so the problem can name it. */
function invalidHeader(packet: string): FieldError | null {
  for (const line of packet.split('\r\n').slice(1)) {
    if (line === '') break;
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    if (colon === -1 || !tokenPattern.test(name)) {
      return { field: 'header', message: 'a header name must be a token followed by a colon' };
    }
    if (controlPattern.test(line.slice(colon + 1))) {
      return { field: `header.${name}`, message: 'must not contain control characters' };
    }
  }
  return null;
}

function requestTarget(packet: string): string {
  const target = packet.split('\r\n', 1)[0]?.split(' ')[1] ?? '';
  // The target goes back into JSON only; a path that is not even printable is not worth echoing.
  return /^\/[\x21-\x7e]*$/.test(target) ? (target.split('?')[0] ?? '/') : '/';
}
