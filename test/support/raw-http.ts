import { request as httpRequest } from 'node:http';

export interface RawAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * Sends `target` exactly as written on the request line (no URL normalisation, unlike fetch):
 * for percent-encoded, dotted or absolute-form spellings of a path.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  target: string,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ hostname, port, method, path: target, headers }, (incoming) => {
      let body = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (body += chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}
