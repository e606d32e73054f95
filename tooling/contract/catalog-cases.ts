/**
 * The catalog's black-box HTTP contract, written once: both catalogs (Python and Go) must
 * answer it, and the CRUD labs probe with it. It checks the contract, not the code: CRUD
 * round-trips, every bad body answered 422 with the problem envelope (never 500), a missing
 * product 404. Fields beyond the contract's are allowed (later labs add them), so responses
 * are compared on the contract's fields.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { defineProbes, type HttpAnswer, type ProbeCase, type ProbeContext } from '../probes/probe.ts';

/** The catalogs' one OpenAPI document: both serve these bytes at GET /openapi.json. */
export const OPENAPI_DOCUMENT_PATH = fileURLToPath(new URL('./catalog.openapi.json', import.meta.url));

/** The answer to a request head written byte for byte (a head no HTTP client would send). */
export function rawHead(baseUrl: string, head: string): Promise<HttpAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host: url.hostname, port: Number(url.port) }, () => socket.write(head));
    socket.setTimeout(5_000, () => socket.destroy(new Error(`${JSON.stringify(head)}: no answer within 5 s`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const [top = '', ...rest] = raw.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = top.split('\r\n');
      const headers = new Headers();
      for (const line of headerLines) {
        const at = line.indexOf(':');
        if (at > 0) headers.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
      }
      const text = rest.join('\r\n\r\n');
      let json: unknown;
      try {
        json = text ? (JSON.parse(text) as unknown) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), headers, text, json });
    });
  });
}

/**
 * One request sent exactly as given (fetch would add a Content-Type, encode the path, and could
 * not send invalid UTF-8): the odd requests of the contract's edge.
 */
export function rawRequest(baseUrl: string, method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) }, timeout: 5_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const answerHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') answerHeaders.set(name, value);
          let json: unknown;
          try {
            json = text ? (JSON.parse(text) as unknown) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: answerHeaders, text, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 5 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The pointer a failure message ends with, naming where the learner's work is. */
export interface ContractOptions {
  readonly todo: string;
}

function expectProblem(answer: HttpAnswer, status: number, code: string, what: string, TODO: string): void {
  assert.equal(answer.status, status, `${what}: expected HTTP ${status}, got ${answer.status} (${TODO}, TODO); body: ${answer.text.slice(0, 200)}`);
  assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/, `${what}: an error must be application/problem+json (RFC 9457)`);
  const body = answer.json as Record<string, unknown> | undefined;
  assert.ok(body && typeof body === 'object', `${what}: the error body must be a JSON object`);
  assert.equal(body['status'], status, `${what}: the envelope's "status" must repeat the HTTP status`);
  assert.equal(body['code'], code, `${what}: the envelope's "code" must be "${code}" (${TODO})`);
  assert.equal(typeof body['type'], 'string', `${what}: the envelope needs a "type" URI`);
  assert.equal(typeof body['title'], 'string', `${what}: the envelope needs a "title"`);
}

let counter = 0;
function newSku(): string {
  counter += 1;
  return `PRB-${process.pid % 10000}-${counter}`;
}

const mug = (sku: string) => ({ sku, name: 'Probe mug', price: { amount_minor: 1250, currency: 'EUR' } });

let keyCounter = 0;
/** A fresh Idempotency-Key of the gateway's form (^[A-Za-z0-9._~:-]{8,128}$). */
function newKey(): string {
  keyCounter += 1;
  return `probe-${process.pid}-${Date.now()}-${keyCounter}`;
}

/** How many listed products have this sku. */
async function countSku(request: ProbeContext['request'], sku: string): Promise<number> {
  const listed = await request('GET', '/products');
  const items = (listed.json as { items?: { sku: string }[] } | undefined)?.items ?? [];
  return items.filter((p) => p.sku === sku).length;
}

interface Product {
  id: string;
  sku: string;
  name: string;
  price: { amount_minor: number; currency: string };
}

/** The contract's fields of a product answer; anything else a later lab adds is ignored. */
function core(value: unknown): Product | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { id, sku, name, price } = value as Product;
  return { id, sku, name, price };
}

export function catalogContract({ todo: TODO }: ContractOptions): ProbeCase[] {
  return defineProbes([
  {
    name: 'the service answers /healthz',
    async run({ request }) {
      const answer = await request('GET', '/healthz');
      assert.equal(answer.status, 200, '/healthz must answer 200 while the process is alive');
    },
  },
  {
    name: 'a product can be created, read, listed, updated and deleted',
    async run({ request }) {
      const sku = newSku();
      const created = await request('POST', '/products', mug(sku));
      assert.equal(created.status, 201, `POST /products with a valid body must answer 201 (${TODO}); body: ${created.text.slice(0, 200)}`);
      const product = core(created.json) as Product;
      assert.equal(created.headers.get('location'), `/products/${product.id}`, 'POST must answer with Location: /products/{id}');
      assert.deepEqual({ ...product, id: undefined }, { ...mug(sku), id: undefined }, 'the created product must echo sku, name and price');

      const read = await request('GET', `/products/${product.id}`);
      assert.equal(read.status, 200, 'GET /products/{id} of a created product must answer 200');
      assert.deepEqual(core(read.json), product, 'GET must return what POST created');

      const listed = await request('GET', '/products');
      const items = (listed.json as { items?: { id: string }[] } | undefined)?.items ?? [];
      assert.ok(items.some((p) => p.id === product.id), 'GET /products must list the created product under "items"');

      const updated = await request('PUT', `/products/${product.id}`, { name: 'Bigger mug', price: { amount_minor: 1500, currency: 'EUR' } });
      assert.equal(updated.status, 200, `PUT with a valid body must answer 200; body: ${updated.text.slice(0, 200)}`);
      assert.deepEqual(core(updated.json), { ...product, name: 'Bigger mug', price: { amount_minor: 1500, currency: 'EUR' } }, 'PUT must change name and price, keep id and sku');

      const deleted = await request('DELETE', `/products/${product.id}`);
      assert.equal(deleted.status, 204, 'DELETE of an existing product must answer 204');
      assert.equal(deleted.text, '', 'a 204 has no body');
      expectProblem(await request('GET', `/products/${product.id}`), 404, 'product_not_found', 'GET after DELETE', TODO);
      expectProblem(await request('DELETE', `/products/${product.id}`), 404, 'product_not_found', 'DELETE of a deleted product', TODO);
    },
  },
  {
    name: 'a missing or malformed product id is a 404 problem, never a 500',
    async run({ request }) {
      expectProblem(await request('GET', '/products/00000000-0000-4000-8000-000000000000'), 404, 'product_not_found', 'GET of an unknown id', TODO);
      expectProblem(await request('GET', '/products/not-a-uuid'), 404, 'product_not_found', 'GET of a malformed id', TODO);
      expectProblem(
        await request('PUT', '/products/00000000-0000-4000-8000-000000000000', { name: 'x', price: { amount_minor: 1, currency: 'EUR' } }),
        404,
        'product_not_found',
        'PUT of an unknown id',
        TODO,
      );
    },
  },
  {
    name: 'every bad body is a 422 problem naming the field, never a 500',
    async run({ request }) {
      const bad: [string, unknown, string][] = [
        ['a negative price', { ...mug(newSku()), price: { amount_minor: -1, currency: 'EUR' } }, 'price.amount_minor'],
        ['a fractional amount', { ...mug(newSku()), price: { amount_minor: 12.5, currency: 'EUR' } }, 'price.amount_minor'],
        ['a boolean amount', { ...mug(newSku()), price: { amount_minor: true, currency: 'EUR' } }, 'price.amount_minor'],
        ['a lower-case currency', { ...mug(newSku()), price: { amount_minor: 100, currency: 'eur' } }, 'price.currency'],
        ['a blank name', { ...mug(newSku()), name: '   ' }, 'name'],
        ['a missing name', { sku: newSku(), price: { amount_minor: 100, currency: 'EUR' } }, 'name'],
        ['a malformed sku', { ...mug('bad sku!'), name: 'x' }, 'sku'],
        ['an unknown field', { ...mug(newSku()), colour: 'blue' }, 'colour'],
      ];
      for (const [what, body, field] of bad) {
        const answer = await request('POST', '/products', body);
        expectProblem(answer, 422, 'validation_failed', `POST with ${what}`, TODO);
        const errors = (answer.json as { errors?: { field?: string }[] }).errors ?? [];
        assert.ok(errors.some((e) => e.field === field), `POST with ${what}: "errors" must name the field "${field}"; got ${JSON.stringify(errors)}`);
      }
      expectProblem(await request('POST', '/products', '{"sku": "MUG-1", '), 422, 'validation_failed', 'POST with malformed JSON', TODO);
    },
  },
  {
    name: 'a duplicate sku is a 409 problem',
    async run({ request }) {
      const sku = newSku();
      const first = await request('POST', '/products', mug(sku));
      assert.equal(first.status, 201, `the first POST of a sku must answer 201; body: ${first.text.slice(0, 200)}`);
      expectProblem(await request('POST', '/products', mug(sku)), 409, 'sku_already_exists', 'a second POST with the same sku', TODO);
    },
  },
  {
    name: 'an Idempotency-Key replays the first answer (same status, body and Location) and creates one product',
    async run({ request }) {
      const key = newKey();
      const body = mug(newSku());
      const first = await request('POST', '/products', body, { 'idempotency-key': key });
      assert.equal(first.status, 201, `the first keyed POST must answer 201; body: ${first.text.slice(0, 200)}`);
      // The same request serialized another way is the same request (compared parsed).
      const reordered = `{"price": {"currency": "EUR", "amount_minor": 1250}, "name": "Probe mug", "sku": "${body.sku}"}`;
      const again = await request('POST', '/products', reordered, { 'idempotency-key': key, 'content-type': 'application/json' });
      assert.equal(again.status, 201, `a retry with the same key and request must answer the first 201 again; got ${again.status}: ${again.text.slice(0, 200)}`);
      assert.equal(again.text, first.text, 'a retry must answer the first body byte for byte (the same product id)');
      assert.equal(again.headers.get('location'), first.headers.get('location'), 'a retry must answer the first Location');
      assert.equal(await countSku(request, body.sku), 1, 'a retry must not create a second product');
    },
  },
  {
    name: 'an Idempotency-Key sent again with another body is a 409 idempotency_conflict',
    async run({ request }) {
      const key = newKey();
      const first = await request('POST', '/products', mug(newSku()), { 'idempotency-key': key });
      assert.equal(first.status, 201, `the first keyed POST must answer 201; body: ${first.text.slice(0, 200)}`);
      expectProblem(await request('POST', '/products', mug(newSku()), { 'idempotency-key': key }), 409, 'idempotency_conflict', 'the same Idempotency-Key with another body', TODO);
    },
  },
  {
    name: 'a malformed Idempotency-Key is a 422 naming it; a refused keyed request stores nothing',
    async run({ request }) {
      const bad: [string, string][] = [
        ['an empty key', ''],
        ['a key of 7 characters', 'k'.repeat(7)],
        ['a key of 129 characters', 'k'.repeat(129)],
        ['a key with a space', 'retry key 01'],
        ['a key with a slash', 'retry/key/01'],
      ];
      for (const [what, key] of bad) {
        const answer = await request('POST', '/products', mug(newSku()), { 'idempotency-key': key });
        expectProblem(answer, 422, 'validation_failed', `POST with ${what}`, TODO);
        const errors = (answer.json as { errors?: { field?: string }[] }).errors ?? [];
        assert.ok(errors.some((e) => e.field === 'Idempotency-Key'), `POST with ${what}: "errors" must name "Idempotency-Key"; got ${JSON.stringify(errors)}`);
      }
      const ok = await request('POST', '/products', mug(newSku()), { 'idempotency-key': 'k'.repeat(128) });
      assert.equal(ok.status, 201, `a 128-character key is valid; got ${ok.status}: ${ok.text.slice(0, 200)}`);
      const key = newKey();
      const sku = newSku();
      const refused = await request('POST', '/products', { ...mug(sku), price: { amount_minor: 1, currency: 'eur' } }, { 'idempotency-key': key });
      expectProblem(refused, 422, 'validation_failed', 'a keyed POST with a bad currency', TODO);
      const corrected = await request('POST', '/products', mug(sku), { 'idempotency-key': key });
      assert.equal(corrected.status, 201, `a refused request is not stored: the corrected retry with the same key must answer 201; got ${corrected.status}: ${corrected.text.slice(0, 200)}`);
    },
  },
  {
    name: 'concurrent requests with one Idempotency-Key create one product, and all get its answer',
    async run({ request }) {
      const key = newKey();
      const body = mug(newSku());
      const answers = await Promise.all(Array.from({ length: 8 }, () => request('POST', '/products', body, { 'idempotency-key': key })));
      for (const answer of answers) {
        assert.equal(answer.status, 201, `a concurrent duplicate waits for the first and replays it: expected 201, got ${answer.status}: ${answer.text.slice(0, 200)}`);
        assert.equal(answer.text, answers[0]?.text, 'every concurrent duplicate must answer the same product');
      }
      assert.equal(await countSku(request, body.sku), 1, '8 concurrent requests with one key must create exactly one product');
    },
  },
  {
    name: 'an unknown route is a 404 problem',
    async run({ request }) {
      expectProblem(await request('GET', '/no-such-route'), 404, 'not_found', 'GET of an unknown route', TODO);
    },
  },
  {
    name: 'a trailing slash is an unknown route, not a redirect',
    async run({ request }) {
      expectProblem(await request('GET', '/products/'), 404, 'not_found', 'GET /products/', TODO);
      expectProblem(await request('GET', '/products/a/b'), 404, 'not_found', 'GET /products/a/b', TODO);
    },
  },
  {
    name: 'a method the path does not offer is a 405 problem with Allow listing every method',
    async run({ request }) {
      const cases: [string, string, string][] = [
        ['PATCH', '/products', 'GET, POST'],
        ['DELETE', '/products', 'GET, POST'],
        ['PATCH', '/products/00000000-0000-4000-8000-000000000000', 'DELETE, GET, PUT'],
        ['POST', '/products/00000000-0000-4000-8000-000000000000', 'DELETE, GET, PUT'],
        ['POST', '/healthz', 'GET'],
      ];
      for (const [method, where, allow] of cases) {
        const answer = await request(method, where);
        expectProblem(answer, 405, 'method_not_allowed', `${method} ${where}`, TODO);
        const got = (answer.headers.get('allow') ?? '').split(',').map((m) => m.trim()).filter(Boolean).sort().join(', ');
        assert.equal(got, allow, `${method} ${where}: the Allow header must list ${allow} (${TODO})`);
      }
    },
  },
  {
    name: 'the problem type is the base URI plus the code in kebab-case',
    async run({ request }) {
      const answer = await request('GET', '/products/00000000-0000-4000-8000-000000000000');
      const body = answer.json as { type?: string; code?: string } | undefined;
      assert.equal(body?.type, 'https://language-tracks.example/problems/product-not-found', `the problem "type" must be the base URI plus the code in kebab-case (${TODO})`);
      const invalid = await request('POST', '/products', { ...mug(newSku()), colour: 'blue' });
      assert.equal((invalid.json as { type?: string } | undefined)?.type, 'https://language-tracks.example/problems/validation-failed', 'a 422 has the validation-failed type');
    },
  },
  {
    name: 'health and readiness answer their status documents',
    async run({ request }) {
      const health = await request('GET', '/healthz');
      assert.deepEqual(health.json, { status: 'ok' }, '/healthz answers {"status":"ok"}');
      const ready = await request('GET', '/readyz');
      assert.equal(ready.status, 200, '/readyz answers 200 when the service may take traffic');
      assert.deepEqual(ready.json, { status: 'ready' }, '/readyz answers {"status":"ready"}');
    },
  },
  {
    name: 'a malformed id is a 404 for PUT and DELETE too, and ids are case-sensitive',
    async run({ request }) {
      const valid = { name: 'x', price: { amount_minor: 1, currency: 'EUR' } };
      expectProblem(await request('PUT', '/products/not-a-uuid', valid), 404, 'product_not_found', 'PUT of a malformed id', TODO);
      expectProblem(await request('DELETE', '/products/not-a-uuid'), 404, 'product_not_found', 'DELETE of a malformed id', TODO);
      const created = await request('POST', '/products', mug(newSku()));
      const id = (core(created.json) as Product).id;
      expectProblem(await request('GET', `/products/${id.toUpperCase()}`), 404, 'product_not_found', 'GET of an upper-case id', TODO);
      expectProblem(await request('GET', `/products/{${id}}`), 404, 'product_not_found', 'GET of a brace-wrapped id', TODO);
      expectProblem(await request('DELETE', `/products/${id.toUpperCase()}`), 404, 'product_not_found', 'DELETE of an upper-case id', TODO);
      assert.equal((await request('GET', `/products/${id}`)).status, 200, 'the canonical id still names the product');
    },
  },
  {
    name: 'PUT validates the body before looking up the id, and the sku cannot change',
    async run({ request }) {
      const unknown = '/products/00000000-0000-4000-8000-000000000000';
      expectProblem(await request('PUT', unknown, { name: '', price: { amount_minor: 1, currency: 'EUR' } }), 422, 'validation_failed', 'PUT of an unknown id with a blank name', TODO);
      const created = await request('POST', '/products', mug(newSku()));
      const id = (core(created.json) as Product).id;
      const answer = await request('PUT', `/products/${id}`, { sku: 'NEW-SKU', name: 'x', price: { amount_minor: 1, currency: 'EUR' } });
      expectProblem(answer, 422, 'validation_failed', 'PUT with a sku in the body', TODO);
      const errors = (answer.json as { errors?: { field?: string }[] }).errors ?? [];
      assert.ok(errors.some((e) => e.field === 'sku'), `PUT with a sku: "errors" must name the field "sku"; got ${JSON.stringify(errors)}`);
    },
  },
  {
    name: 'GET /products lists every product sorted by sku',
    async run({ request }) {
      const base = newSku();
      for (const suffix of ['C', 'A', 'B']) {
        const created = await request('POST', '/products', mug(`${base}-${suffix}`));
        assert.equal(created.status, 201, `POST ${base}-${suffix} must answer 201; body: ${created.text.slice(0, 200)}`);
      }
      const listed = await request('GET', '/products');
      assert.equal(listed.status, 200, 'GET /products answers 200');
      const skus = ((listed.json as { items?: { sku: string }[] } | undefined)?.items ?? []).map((p) => p.sku);
      const sorted = [...skus].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      assert.deepEqual(skus, sorted, `GET /products must be sorted by sku (${TODO})`);
      assert.deepEqual(skus.filter((s) => s.startsWith(`${base}-`)), [`${base}-A`, `${base}-B`, `${base}-C`], 'the three new products are listed in sku order');
    },
  },
  {
    name: 'names are trimmed and counted in code points; amounts span the whole int64 range',
    async run({ request }) {
      const trimmed = await request('POST', '/products', { ...mug(newSku()), name: '  Mug \t' });
      assert.equal(trimmed.status, 201, `a name with surrounding whitespace is accepted; body: ${trimmed.text.slice(0, 200)}`);
      assert.equal(core(trimmed.json)?.name, 'Mug', 'the stored name is trimmed');
      for (const [what, name, status] of [
        ['200 euro signs (600 UTF-8 bytes)', '\u20ac'.repeat(200), 201],
        ['200 emoji (400 UTF-16 units)', '\u{1F600}'.repeat(200), 201],
        ['201 characters', 'x'.repeat(201), 422],
      ] as const) {
        const answer = await request('POST', '/products', { ...mug(newSku()), name });
        assert.equal(answer.status, status, `a name of ${what} must answer ${status} (${TODO}); body: ${answer.text.slice(0, 200)}`);
      }
      const max = '9223372036854775807';
      const body = `{"sku": "${newSku()}", "name": "Dear", "price": {"amount_minor": ${max}, "currency": "EUR"}}`;
      const big = await request('POST', '/products', body, { 'content-type': 'application/json' });
      assert.equal(big.status, 201, `amount_minor ${max} (the largest int64) is accepted; body: ${big.text.slice(0, 200)}`);
      assert.match(big.text, new RegExp(`"amount_minor":\\s*${max}\\b`), 'the largest amount comes back exactly');
      const zero = await request('POST', '/products', { ...mug(newSku()), price: { amount_minor: 0, currency: 'EUR' } });
      assert.equal(zero.status, 201, 'an amount of 0 is accepted');
    },
  },
  {
    name: 'a body over 1 MiB is a 413 payload_too_large, whatever it holds (the edge limit, before routing)',
    async run({ request }) {
      const big = `{"sku": "${newSku()}", "name": "${'x'.repeat(1 << 20)}", "price": {"amount_minor": 1, "currency": "EUR"}}`;
      expectProblem(await request('POST', '/products', big, { 'content-type': 'application/json' }), 413, 'payload_too_large', 'POST of a 1 MiB + 80 bytes body', 'the edge limit');
      const created = await request('POST', '/products', mug(newSku()));
      assert.equal(created.status, 201, `after a refused body the service still creates products; body: ${created.text.slice(0, 200)}`);
    },
  },
  {
    name: 'GET /openapi.json answers the committed OpenAPI document byte for byte',
    async run({ request }) {
      const answer = await request('GET', '/openapi.json');
      assert.equal(answer.status, 200, `GET /openapi.json must answer 200 (${TODO})`);
      assert.match(answer.headers.get('content-type') ?? '', /^application\/json/, 'the document is served as application/json');
      assert.ok(answer.text === readFileSync(OPENAPI_DOCUMENT_PATH, 'utf8'), 'GET /openapi.json must answer tooling/contract/catalog.openapi.json byte for byte (both catalogs serve the same bytes)');
    },
  },
  {
    name: 'odd bodies at the edge are one 422 about the body (or its field), never a 400, a 5xx or text/plain',
    async run({ baseUrl }) {
      const valid = `{"sku": "${newSku()}", "name": "x", "price": {"amount_minor": 1, "currency": "EUR"}}`;
      const json = { 'content-type': 'application/json' };
      const cases: [string, Buffer, Record<string, string>, string][] = [
        ['no Content-Type', Buffer.from(valid), {}, 'body'],
        ['a Content-Type that is not JSON (application/xml)', Buffer.from(valid), { 'content-type': 'application/xml' }, 'body'],
        ['a UTF-8 byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(valid)]), json, 'body'],
        ['invalid UTF-8 in a string', Buffer.concat([Buffer.from(`{"sku": "${newSku()}", "name": "`), Buffer.from([0xff, 0xfe]), Buffer.from('", "price": {"amount_minor": 1, "currency": "EUR"}}')]), json, 'body'],
        ['10,000 nested [', Buffer.from('['.repeat(10_000)), json, 'body'],
        ['33 levels of nesting inside a field', Buffer.from(`{"sku": ${'['.repeat(33)}${']'.repeat(33)}}`), json, 'body'],
        ['a 5,000-digit number', Buffer.from(`{"sku": "${newSku()}", "name": "x", "price": {"amount_minor": ${'9'.repeat(5000)}, "currency": "EUR"}}`), json, 'price.amount_minor'],
        ['a 5,000-digit number as the body', Buffer.from('1'.repeat(5000)), json, 'body'],
        ['NaN', Buffer.from(`{"sku": "${newSku()}", "name": "x", "price": {"amount_minor": NaN, "currency": "EUR"}}`), json, 'body'],
      ];
      for (const [what, body, headers, field] of cases) {
        const answer = await rawRequest(baseUrl, 'POST', '/products', body, headers);
        expectProblem(answer, 422, 'validation_failed', `POST with ${what}`, TODO);
        const fields = ((answer.json as { errors?: { field?: string }[] }).errors ?? []).map((e) => e.field);
        assert.deepEqual(fields, [field], `POST with ${what}: "errors" must name exactly "${field}"; got ${JSON.stringify(fields)}`);
      }
    },
  },
  {
    name: 'router-level refusals are problem+json too: %zz in a path or a malformed header (400), an unknown method (405 with Allow), an unknown route (404)',
    async run({ baseUrl }) {
      for (const where of ['/products/%zz', '/%zz', '/products/%4']) {
        expectProblem(await rawRequest(baseUrl, 'GET', where), 400, 'bad_request', `GET ${where}`, TODO);
      }
      expectProblem(await rawHead(baseUrl, 'GET /healthz HTTP/1.1\r\nHost: catalog\r\nbad header\r\n\r\n'), 400, 'bad_request', 'a header line without a colon', TODO);
      const unknownMethod = await rawRequest(baseUrl, 'PROPFIND', '/products');
      expectProblem(unknownMethod, 405, 'method_not_allowed', 'PROPFIND /products', TODO);
      assert.equal(unknownMethod.headers.get('allow'), 'GET, POST', 'PROPFIND /products: Allow lists GET, POST');
      expectProblem(await rawRequest(baseUrl, 'PUT', '/openapi.json', Buffer.from('{}'), { 'content-type': 'application/json' }), 405, 'method_not_allowed', 'PUT /openapi.json', TODO);
      expectProblem(await rawRequest(baseUrl, 'DELETE', '/no/such/route'), 404, 'not_found', 'DELETE of an unknown route', TODO);
      expectProblem(await rawRequest(baseUrl, 'GET', '/docs'), 404, 'not_found', 'GET /docs (no generated pages: the document is the contract)', TODO);
    },
  },
  {
    name: 'strict JSON: only integers for amounts, exact member names, unknown fields at any level',
    async run({ request }) {
      const amount = (raw: string) => `{"sku": "${newSku()}", "name": "x", "price": {"amount_minor": ${raw}, "currency": "EUR"}}`;
      const bad: [string, string, string][] = [
        ['12.0', amount('12.0'), 'price.amount_minor'],
        ['1e2', amount('1e2'), 'price.amount_minor'],
        ['"12"', amount('"12"'), 'price.amount_minor'],
        ['null', amount('null'), 'price.amount_minor'],
        ['2^63', amount('9223372036854775808'), 'price.amount_minor'],
        ['-2^63', amount('-9223372036854775808'), 'price.amount_minor'],
        ['a missing amount', `{"sku": "${newSku()}", "name": "x", "price": {"currency": "EUR"}}`, 'price.amount_minor'],
        ['a price that is not an object', `{"sku": "${newSku()}", "name": "x", "price": 5}`, 'price'],
        ['a name that is not a string', `{"sku": "${newSku()}", "name": 5, "price": {"amount_minor": 1, "currency": "EUR"}}`, 'name'],
        ['an unknown field inside price', `{"sku": "${newSku()}", "name": "x", "price": {"amount_minor": 1, "currency": "EUR", "colour": "blue"}}`, 'price.colour'],
        ['a member name in the wrong case', `{"SKU": "${newSku()}", "name": "x", "price": {"amount_minor": 1, "currency": "EUR"}}`, 'SKU'],
        ['a body that is an array', '[1, 2]', 'body'],
        ['a body that is null', 'null', 'body'],
        ['malformed JSON', '{"sku": ', 'body'],
        ['trailing data after the object', `${amount('1')} x`, 'body'],
      ];
      for (const [what, body, field] of bad) {
        const answer = await request('POST', '/products', body, { 'content-type': 'application/json' });
        expectProblem(answer, 422, 'validation_failed', `POST with ${what}`, TODO);
        const errors = (answer.json as { errors?: { field?: string }[] }).errors ?? [];
        assert.ok(errors.some((e) => e.field === field), `POST with ${what}: "errors" must name the field "${field}"; got ${JSON.stringify(errors)}`);
      }
      const notJson = await request('POST', '/products', JSON.stringify(mug(newSku())), { 'content-type': 'text/plain' });
      expectProblem(notJson, 422, 'validation_failed', 'POST sent as text/plain', TODO);
      const errors = (notJson.json as { errors?: { field?: string }[] }).errors ?? [];
      assert.ok(errors.some((e) => e.field === 'body'), `POST sent as text/plain: "errors" must name "body"; got ${JSON.stringify(errors)}`);
    },
  },
]);
}
