/**
 * Bad and cross-user tokens, as an outside tester tries them: every kind of broken bearer token
 * (none, garbage, `alg: none`, another algorithm, a forged signature, expired, another issuer or
 * audience, no subject …) and every valid token that names ANOTHER user, on every route of the
 * gateway (HTTP) and every method of the recommender (gRPC, with @grpc/grpc-js). A 2xx / OK is
 * "accepted": the figure must be 0. A 5xx / server-side gRPC code is counted too: a refusal is
 * the client's fault, never a server error.
 */
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { mintDevJwt } from '../probes/dev-jwt.ts';
import type { Figure } from './figures.ts';

export interface TokenCase {
  readonly name: string;
  /** The `authorization` header value; undefined = none sent. */
  readonly authorization: string | undefined;
}

/** Every kind of token that must be refused as unauthenticated. */
export function badTokens(nowSeconds = Math.floor(Date.now() / 1000)): TokenCase[] {
  const valid = mintDevJwt({}, { nowSeconds });
  const bearer = (token: string): string => `Bearer ${token}`;
  return [
    { name: 'no authorization header', authorization: undefined },
    { name: 'empty bearer', authorization: 'Bearer ' },
    { name: 'garbage', authorization: bearer('not-a-jwt') },
    { name: 'basic scheme', authorization: `Basic ${Buffer.from('u-1:secret').toString('base64')}` },
    { name: 'the token without a scheme', authorization: valid },
    { name: 'alg none', authorization: bearer(mintDevJwt({}, { alg: 'none', nowSeconds })) },
    { name: 'HS512 (not the agreed algorithm)', authorization: bearer(mintDevJwt({}, { alg: 'HS512', nowSeconds })) },
    { name: 'forged signature (another secret)', authorization: bearer(mintDevJwt({}, { secret: 'an-attacker-secret-of-at-least-32-bytes!!', nowSeconds })) },
    { name: 'signature cut off', authorization: bearer(valid.slice(0, valid.lastIndexOf('.') + 1)) },
    { name: 'payload swapped under a valid signature', authorization: bearer(swapPayload(valid, { sub: 'u-2' })) },
    { name: 'expired', authorization: bearer(mintDevJwt({ iat: nowSeconds - 3600, exp: nowSeconds - 60 }, { nowSeconds })) },
    { name: 'another issuer', authorization: bearer(mintDevJwt({ iss: 'someone-else' }, { nowSeconds })) },
    { name: 'another audience', authorization: bearer(mintDevJwt({ aud: 'billing' }, { nowSeconds })) },
    { name: 'no subject', authorization: bearer(mintDevJwt({ sub: undefined }, { nowSeconds })) },
    { name: 'empty subject', authorization: bearer(mintDevJwt({ sub: '' }, { nowSeconds })) },
    { name: 'no expiry', authorization: bearer(mintDevJwt({ exp: undefined }, { nowSeconds })) },
  ];
}

/** A valid header and signature around another payload: what a tamperer sends. */
function swapPayload(token: string, claims: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  const changed = { ...(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as object), ...claims };
  return `${header ?? ''}.${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${signature ?? ''}`;
}

/** Valid tokens for u-1 that must not act for u-2 (the second carries a scope, just not the one that allows it). */
export function crossUserTokens(nowSeconds = Math.floor(Date.now() / 1000)): TokenCase[] {
  return [
    { name: 'u-1 acting for u-2', authorization: `Bearer ${mintDevJwt({ sub: 'u-1' }, { nowSeconds })}` },
    { name: 'u-1 with a read scope acting for u-2', authorization: `Bearer ${mintDevJwt({ sub: 'u-1', scope: 'recommendations:read' }, { nowSeconds })}` },
  ];
}

/** What one attempt ended with: accepted (2xx/OK), refused, or a server error. */
export type Attempt = 'accepted' | 'refused' | 'server-error';

export interface TokenTally {
  tried: number;
  accepted: string[];
  serverErrors: string[];
}

function record(tally: TokenTally, what: string, attempt: Attempt): void {
  tally.tried++;
  if (attempt === 'accepted') tally.accepted.push(what);
  if (attempt === 'server-error') tally.serverErrors.push(what);
}

/** The gateway's routes, each asked for u-2 (the cross-user cases' victim). */
async function gatewayAttempts(baseUrl: string, authorization: string | undefined, key: string): Promise<[string, Attempt][]> {
  const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
  const ask = async (route: string, init: RequestInit): Promise<Attempt> => {
    const response = await fetch(baseUrl + route, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) }, signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
    return response.status >= 500 ? 'server-error' : response.ok ? 'accepted' : 'refused';
  };
  const feedback = JSON.stringify({ user_id: 'u-2', item_id: 'es-01', kind: 'dismissed' });
  return [
    ['GET /users/u-2/recommendations', await ask('/users/u-2/recommendations?language=es', { method: 'GET' })],
    ['GET /users/u-2/recommendations/stream', await ask('/users/u-2/recommendations/stream?language=es', { method: 'GET' })],
    ['POST /feedback (as u-2)', await ask('/feedback', { method: 'POST', body: feedback, headers: { 'content-type': 'application/json', 'idempotency-key': key } })],
  ];
}

/** Every token case on every gateway route: accepted and 5xx figures. */
export async function tokensThroughGateway(baseUrl: string): Promise<Figure[]> {
  const bad: TokenTally = { tried: 0, accepted: [], serverErrors: [] };
  const cross: TokenTally = { tried: 0, accepted: [], serverErrors: [] };
  let n = 0;
  for (const [cases, tally] of [
    [badTokens(), bad],
    [crossUserTokens(), cross],
  ] as const) {
    for (const c of cases) for (const [route, attempt] of await gatewayAttempts(baseUrl, c.authorization, `reliability-${String(n++)}`)) record(tally, `${c.name} → ${route}`, attempt);
  }
  return tallyFigures('gateway', bad, cross, 'route');
}

type Unary = (request: object, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null) => void) => grpc.ClientUnaryCall;
type Streaming = (request: object, metadata: grpc.Metadata, options: grpc.CallOptions) => grpc.ClientReadableStream<unknown>;
interface RecommendationClient extends grpc.Client {
  Recommend: Unary;
  RecordFeedback: Unary;
  StreamRecommendations: Streaming;
}

/** The recommender's client, from the one proto (no generated TypeScript needed). */
function recommenderClient(root: string, address: string): RecommendationClient {
  const definition = protoLoader.loadSync(path.join(root, 'proto', 'recommendations.proto'), { keepCase: true, enums: String, defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { languagetracks: { recommendations: { v1: { RecommendationService: grpc.ServiceClientConstructor } } } };
  const Service = loaded.languagetracks.recommendations.v1.RecommendationService;
  return new Service(address, grpc.credentials.createInsecure()) as unknown as RecommendationClient;
}

/** Codes a refusal may end with; any other non-OK code is counted as a server error. */
const REFUSALS = new Set([grpc.status.UNAUTHENTICATED, grpc.status.PERMISSION_DENIED, grpc.status.INVALID_ARGUMENT]);

function attemptOf(code: grpc.status): Attempt {
  return code === grpc.status.OK ? 'accepted' : REFUSALS.has(code) ? 'refused' : 'server-error';
}

async function recommenderAttempts(client: RecommendationClient, authorization: string | undefined, key: string): Promise<[string, Attempt][]> {
  const metadata = (): grpc.Metadata => {
    const m = new grpc.Metadata();
    if (authorization !== undefined) m.set('authorization', authorization);
    return m;
  };
  const options = (): grpc.CallOptions => ({ deadline: Date.now() + 10_000 });
  const unary = (call: Unary, request: object): Promise<Attempt> =>
    new Promise((resolve) => {
      call.call(client, request, metadata(), options(), (error) => resolve(attemptOf(error ? error.code : grpc.status.OK)));
    });
  const stream = (): Promise<Attempt> =>
    new Promise((resolve) => {
      const call = client.StreamRecommendations({ user_id: 'u-2', language: 'es', max_items: 2 }, metadata(), options());
      call.on('data', () => undefined);
      call.on('status', (status: grpc.StatusObject) => resolve(attemptOf(status.code)));
      call.on('error', () => undefined); // the status event carries the code
    });
  return [
    ['Recommend(u-2)', await unary(client.Recommend, { user_id: 'u-2', language: 'es' })],
    ['StreamRecommendations(u-2)', await stream()],
    ['RecordFeedback(u-2)', await unary(client.RecordFeedback, { idempotency_key: key, user_id: 'u-2', item_id: 'es-01', kind: 'FEEDBACK_KIND_DISMISSED' })],
  ];
}

/** Every token case on every recommender method, straight to its gRPC port. */
export async function tokensOnRecommender(root: string, baseUrl: string): Promise<Figure[]> {
  const client = recommenderClient(root, new URL(baseUrl).host);
  try {
    const bad: TokenTally = { tried: 0, accepted: [], serverErrors: [] };
    const cross: TokenTally = { tried: 0, accepted: [], serverErrors: [] };
    let n = 0;
    for (const [cases, tally] of [
      [badTokens(), bad],
      [crossUserTokens(), cross],
    ] as const) {
      for (const c of cases) for (const [method, attempt] of await recommenderAttempts(client, c.authorization, `reliability-grpc-${String(n++)}`)) record(tally, `${c.name} → ${method}`, attempt);
    }
    return tallyFigures('recommender', bad, cross, 'method');
  } finally {
    client.close();
  }
}

function tallyFigures(target: string, bad: TokenTally, cross: TokenTally, per: string): Figure[] {
  const named = (list: string[]): string => (list.length === 0 ? '' : `: ${list.slice(0, 3).join('; ')}${list.length > 3 ? ' …' : ''}`);
  return [
    { target, measure: 'bad tokens accepted', value: bad.accepted.length, unit: 'count', max: 0, detail: `${String(bad.tried)} tries (${String(badTokens().length)} kinds × ${per})${named(bad.accepted)}` },
    { target, measure: 'cross-user tokens accepted', value: cross.accepted.length, unit: 'count', max: 0, detail: `${String(cross.tried)} tries${named(cross.accepted)}` },
    { target, measure: '5xx on refused tokens', value: bad.serverErrors.length + cross.serverErrors.length, unit: 'count', max: 0, detail: named([...bad.serverErrors, ...cross.serverErrors]).replace(/^: /, '') },
  ];
}
