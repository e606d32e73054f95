/**
 * The catalog's black-box HTTP contract, written once: both catalogs (Python and Go) must
 * answer it, and the CRUD labs probe with it. It checks the contract, not the code: CRUD
 * round-trips, every bad body answered 422 with the problem envelope (never 500), a missing
 * product 404. Fields beyond the contract's are allowed (later labs add them), so responses
 * are compared on the contract's fields.
 */
import assert from 'node:assert/strict';
import { defineProbes, type HttpAnswer, type ProbeCase } from '../probes/probe.ts';

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
    name: 'an unknown route is a 404 problem',
    async run({ request }) {
      expectProblem(await request('GET', '/no-such-route'), 404, 'not_found', 'GET of an unknown route', TODO);
    },
  },
]);
}
