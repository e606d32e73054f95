/**
 * Helpers of the polyglot E2E (and lab 15's probe; dev tokens come from ../probes/dev-jwt.ts):
 * the problem+json envelope every HTTP service of the kit answers errors with (RFC 9457, as the catalog contract
 * checks it in tooling/contract/catalog-cases.ts).
 */
import assert from 'node:assert/strict';
import type { HttpAnswer } from '../probes/probe.ts';

export const PROBLEM_TYPE_BASE = 'https://language-tracks.example/problems/';
/** The route the E2E drives: five Spanish recommendations for `u-1`. */
export const RECOMMENDATIONS = '/users/u-1/recommendations?language=es';

/** The envelope: the status, problem+json, `status` repeated, `code`, `type` = base + kebab(code), `title` and `detail`. */
export function expectProblemShape(answer: HttpAnswer, status: number, code: string, what: string): void {
  assert.equal(answer.status, status, `${what}: HTTP ${answer.status}, want ${status}; body ${answer.text.slice(0, 200)}`);
  assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/, `${what}: an error must be application/problem+json (RFC 9457)`);
  const body = answer.json as Record<string, unknown> | undefined;
  assert.ok(body && typeof body === 'object', `${what}: the error body must be a JSON object`);
  assert.equal(body['status'], status, `${what}: the envelope's "status" repeats the HTTP status`);
  assert.equal(body['code'], code, `${what}: the envelope's "code" should be "${code}"`);
  assert.equal(body['type'], PROBLEM_TYPE_BASE + code.replaceAll('_', '-'), `${what}: "type" is the base URI plus the code in kebab-case`);
  assert.equal(typeof body['title'], 'string', `${what}: the envelope needs a "title"`);
  assert.equal(typeof body['detail'], 'string', `${what}: the envelope needs a "detail"`);
}
