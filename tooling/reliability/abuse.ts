/**
 * Bad input, as raw HTTP/1.1 bytes on a socket (so nothing between the tester and the service
 * tidies it up): broken JSON, wrong types, huge numbers, deep nesting, a BOM, invalid UTF-8, no
 * or a wrong Content-Type, odd paths and methods, a malformed request line, oversized headers.
 * Each must be refused with a 4xx: any 5xx is a server error the client caused, so the figure
 * must be 0; and the service must still answer its health check afterwards.
 */
import { connect } from 'node:net';
import type { Figure } from './figures.ts';

export interface RawCase {
  readonly name: string;
  readonly bytes: Buffer;
  /** A 5xx that is the protocol's right refusal here (505 for an HTTP version the server lacks). */
  readonly refusal?: number;
}

/** The status code of the first response on the socket, or null when none came (closed, timed out). */
export function sendRaw(port: number, bytes: Buffer, timeoutMs = 15_000): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    let settled = false;
    const finish = (status: number | null): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(status);
    };
    socket.setTimeout(timeoutMs, () => finish(null));
    socket.on('error', () => finish(statusOf(received)));
    socket.on('close', () => finish(statusOf(received)));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const status = statusOf(received);
      if (status !== null) finish(status);
    });
    socket.on('connect', () => socket.write(bytes));
  });
}

/** The status code of an HTTP/1.x response's status line at the start of `received`, or null. */
export function statusOf(received: string): number | null {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(received);
  return match ? Number(match[1]) : null;
}

/** A request with a body: `Content-Length` from the bytes unless `headers` says otherwise. */
export function request(method: string, target: string, body?: Buffer | string, headers: Record<string, string> = {}): Buffer {
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  const all: Record<string, string> = body === undefined ? headers : { 'Content-Length': String(payload.length), ...headers };
  for (const [k, v] of Object.entries(all)) lines.push(`${k}: ${v}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
}

const JSON_TYPE = { 'Content-Type': 'application/json' };
const product = (overrides: Record<string, unknown> = {}): string => JSON.stringify({ sku: `R-${String(Math.random()).slice(2, 10)}`, name: 'Abuse mug', price: { amount_minor: 1250, currency: 'EUR' }, ...overrides });

/** What any HTTP service must survive: the request line, headers and paths. */
export function protocolCases(knownPath: string): RawCase[] {
  return [
    { name: 'malformed request line', bytes: Buffer.from('GARBAGE\r\n\r\n', 'latin1') },
    { name: 'HTTP/9.9', bytes: Buffer.from(`GET ${knownPath} HTTP/9.9\r\nHost: x\r\n\r\n`, 'latin1'), refusal: 505 },
    { name: 'no Host header', bytes: Buffer.from(`GET ${knownPath} HTTP/1.1\r\nConnection: close\r\n\r\n`, 'latin1') },
    { name: 'a 64 KiB header', bytes: request('GET', knownPath, undefined, { 'X-Big': 'a'.repeat(64 << 10) }) },
    { name: 'a made-up method', bytes: request('BREW', knownPath) },
    { name: 'TRACE', bytes: request('TRACE', knownPath) },
    { name: '%zz in the path', bytes: request('GET', `${knownPath}/%zz`) },
    { name: 'a NUL byte in the path', bytes: request('GET', `${knownPath}/%00`) },
    { name: 'dot segments', bytes: request('GET', `${knownPath}/..%2f..%2fetc%2fpasswd`) },
    { name: 'an 8 KiB path segment', bytes: request('GET', `${knownPath}/${'x'.repeat(8 << 10)}`) },
    { name: 'unknown route', bytes: request('GET', '/no/such/route') },
    { name: 'a body that lies about its length', bytes: request('POST', knownPath, '{}', { ...JSON_TYPE, 'Content-Length': '99999999999999999999' }) },
    { name: 'a negative Content-Length', bytes: request('POST', knownPath, '{}', { ...JSON_TYPE, 'Content-Length': '-1' }) },
    { name: 'two Content-Lengths', bytes: Buffer.from(`POST ${knownPath} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`, 'latin1') },
    { name: 'a broken chunked body', bytes: Buffer.from(`POST ${knownPath} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`, 'latin1') },
  ];
}

/** The catalogs' product API with broken bodies and ids. */
export function catalogCases(): RawCase[] {
  const post = (name: string, body: Buffer | string, headers: Record<string, string> = JSON_TYPE): RawCase => ({ name, bytes: request('POST', '/products', body, headers) });
  return [
    ...protocolCases('/products'),
    post('invalid JSON', '{"sku": '),
    post('an empty body', ''),
    post('a JSON array', '[]'),
    post('JSON null', 'null'),
    post('a string where an object is', product({ price: 'free' })),
    post('a negative price', product({ price: { amount_minor: -1, currency: 'EUR' } })),
    post('a 5,000-digit amount', `{"sku":"R-big","name":"x","price":{"amount_minor":${'9'.repeat(5000)},"currency":"EUR"}}`),
    post('an amount of 2^63', product({ price: { amount_minor: 2 ** 63, currency: 'EUR' } })),
    post('a float amount 1e308', `{"sku":"R-f","name":"x","price":{"amount_minor":1e308,"currency":"EUR"}}`),
    post('10,000 levels of nesting', '['.repeat(10_000) + ']'.repeat(10_000)),
    post('a UTF-8 BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(product())])),
    post('invalid UTF-8', Buffer.concat([Buffer.from('{"sku":"R-u","name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","price":{"amount_minor":1,"currency":"EUR"}}')])),
    post('no Content-Type', product(), {}),
    post('text/plain', product(), { 'Content-Type': 'text/plain' }),
    post('a 100,000-character name', product({ name: 'n'.repeat(100_000) })),
    post('a 2 MiB body', product({ name: 'n'.repeat(2 << 20) })),
    post('unknown fields', product({ admin: true, id: 'mine' })),
    post('a duplicate key', '{"sku":"R-d","sku":"R-e","name":"x","price":{"amount_minor":1,"currency":"EUR"}}'),
    { name: 'PUT with a broken body', bytes: request('PUT', '/products/00000000-0000-4000-8000-000000000000', '{"name":', JSON_TYPE) },
    { name: 'GET a product id that is not a UUID', bytes: request('GET', '/products/not-a-uuid') },
    { name: 'GET a unicode product id', bytes: request('GET', '/products/%F0%9F%92%A5') },
  ];
}

/** The gateway's routes with a valid token and broken parameters and bodies. */
export function gatewayCases(authorization: string): RawCase[] {
  const auth = { Authorization: authorization };
  const get = (name: string, target: string, headers: Record<string, string> = {}): RawCase => ({ name, bytes: request('GET', target, undefined, { ...auth, ...headers }) });
  const feedback = (name: string, body: Buffer | string, headers: Record<string, string> = JSON_TYPE): RawCase => ({ name, bytes: request('POST', '/feedback', body, { ...auth, 'Idempotency-Key': `abuse-${name.replace(/\W+/g, '-')}`, ...headers }) });
  return [
    ...protocolCases('/users/u-1/recommendations'),
    get('an unknown language', '/users/u-1/recommendations?language=xx'),
    get('limit=-1', '/users/u-1/recommendations?language=es&limit=-1'),
    get('limit=abc', '/users/u-1/recommendations?language=es&limit=abc'),
    get('limit=2^40', '/users/u-1/recommendations?language=es&limit=1099511627776'),
    get('X-Request-Timeout-Ms: -5', '/users/u-1/recommendations?language=es', { 'X-Request-Timeout-Ms': '-5' }),
    get('X-Request-Timeout-Ms: abc', '/users/u-1/recommendations?language=es', { 'X-Request-Timeout-Ms': 'abc' }),
    get('X-Request-Timeout-Ms: 10^12', '/users/u-1/recommendations?language=es', { 'X-Request-Timeout-Ms': '1000000000000' }),
    get('a broken traceparent', '/users/u-1/recommendations?language=es', { traceparent: '00-zz-yy-01' }),
    get('stream with max_items=-3', '/users/u-1/recommendations/stream?language=es&max_items=-3'),
    feedback('invalid JSON', '{"user_id":'),
    feedback('an unknown kind', '{"user_id":"u-1","item_id":"es-01","kind":"liked"}'),
    feedback('10,000 levels of nesting', '['.repeat(10_000) + ']'.repeat(10_000)),
    feedback('no Idempotency-Key', '{"user_id":"u-1","item_id":"es-01","kind":"clicked"}', { ...JSON_TYPE, 'Idempotency-Key': '' }),
    feedback('a 2 MiB body', JSON.stringify({ user_id: 'u-1', item_id: 'x'.repeat(2 << 20), kind: 'clicked' })),
    feedback('invalid UTF-8', Buffer.concat([Buffer.from('{"user_id":"u-1","item_id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","kind":"clicked"}')])),
  ];
}

/** Sends every case (four at a time), then asks `healthPath`: 5xx and a dead service are the figures. */
export async function abuse(target: string, port: number, cases: readonly RawCase[], healthPath: string): Promise<Figure[]> {
  const serverErrors: string[] = [];
  const unanswered: string[] = [];
  for (let i = 0; i < cases.length; i += 4) {
    await Promise.all(
      cases.slice(i, i + 4).map(async (c) => {
        const status = await sendRaw(port, c.bytes);
        if (status === null) unanswered.push(c.name);
        else if (status >= 500 && status !== c.refusal) serverErrors.push(`${c.name} → ${String(status)}`);
      }),
    );
  }
  const health = await sendRaw(port, request('GET', healthPath));
  const named = (list: string[]): string => (list.length === 0 ? '' : `: ${list.slice(0, 4).join('; ')}${list.length > 4 ? ' …' : ''}`);
  return [
    { target, measure: '5xx on bad input', value: serverErrors.length, unit: 'count', max: 0, detail: `${String(cases.length)} kinds of bad input${named(serverErrors)}` },
    // Every refusal is an answer: a client must learn why (a reset teaches nothing). The lingering
    // close before a 413 is what lets a client still writing its body read it.
    { target, measure: 'bad input closed without an answer', value: unanswered.length, unit: 'count', max: 0, detail: named(unanswered).replace(/^: /, '') },
    { target, measure: 'health check failed after the abuse', value: health === 200 ? 0 : 1, unit: 'count', max: 0, detail: `GET ${healthPath} → ${health === null ? 'no answer' : String(health)}` },
  ];
}
