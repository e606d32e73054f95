/**
 * Dev tokens for the recommender, minted with node:crypto from its DOCUMENTED dev settings
 * (HS256, issuer `language-tracks-dev`, audience `recommender`;
 * python/services/recommender/src/recommender/settings.py). Lab probes, the polyglot E2E and
 * `pnpm bench polyglot` all mint here, so the TypeScript side knows those settings once.
 */
import { createHmac } from 'node:crypto';

export const DEV_JWT = { secret: 'language-tracks-dev-secret-not-for-production', issuer: 'language-tracks-dev', audience: 'recommender' } as const;

export interface MintOptions {
  /** `HS256` (default), `HS512`, or `none` (no signature); any other name is signed like HS256, so wrong headers can be made on purpose. */
  readonly alg?: string;
  /** Another secret forges the signature. */
  readonly secret?: string;
  /** The clock in seconds (default: now); pure callers pass it. */
  readonly nowSeconds?: number;
  /** How long the token is valid (default 600 s). */
  readonly ttlSeconds?: number;
}

const b64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT for `u-1`; `claims` override the defaults (`sub`, `iss`, `aud`, `iat`, `exp`), and a claim set to undefined is dropped. */
export function mintDevJwt(claims: Record<string, unknown> = {}, options: MintOptions = {}): string {
  const alg = options.alg ?? 'HS256';
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const payload = JSON.parse(JSON.stringify({ sub: 'u-1', iss: DEV_JWT.issuer, aud: DEV_JWT.audience, iat: now, exp: now + (options.ttlSeconds ?? 600), ...claims })) as object;
  const input = `${b64url({ alg, typ: 'JWT' })}.${b64url(payload)}`;
  if (alg === 'none') return `${input}.`;
  const signature = createHmac(alg === 'HS512' ? 'sha512' : 'sha256', options.secret ?? DEV_JWT.secret)
    .update(input)
    .digest('base64url');
  return `${input}.${signature}`;
}
