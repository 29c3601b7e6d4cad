// A tiny HTTP service that signs requests for a fuzzer written in another language: it is given a
// request's method, path and exact body bytes and answers the Authorization header to send, so the
// keys and the token format stay in the project's own signer.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signRequest } from '../../signing/request-token.ts';
import { type Signer, testAudience } from './signer.ts';

export interface SigningSidecar {
  /** POST `{ method, path, bodyBase64 }` here; the reply is `{ authorization }`. */
  url: string;
  close(): Promise<void>;
}

const requestSizeMaxBytes = 1024 * 1024;

/** `signerFor` picks the caller for a path: a partner, or the operator for operator routes. */
export async function startSigningSidecar(signerFor: (path: string) => Signer): Promise<SigningSidecar> {
  const server = createServer(async (request, response) => {
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of request) {
        size += (chunk as Buffer).length;
        if (size > requestSizeMaxBytes) throw new Error('signing request too large');
        chunks.push(chunk as Buffer);
      }
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        method: string;
        path: string;
        bodyBase64: string;
      };
      const signer = signerFor(input.path);
      const token = await signRequest({
        privateJwk: signer.key.privateJwk,
        kid: signer.key.kid,
        alg: signer.key.alg,
        issuer: signer.issuer,
        audience: testAudience,
        method: input.method,
        path: input.path,
        body: new Uint8Array(Buffer.from(input.bodyBase64, 'base64')),
      });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ authorization: `Bearer ${token}` }));
    } catch (error) {
      response.writeHead(400, { 'content-type': 'text/plain' });
      response.end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sign`,
    close: () =>
      new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
