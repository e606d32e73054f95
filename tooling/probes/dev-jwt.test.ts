import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEV_JWT, mintDevJwt } from './dev-jwt.ts';

const decode = (part: string): Record<string, unknown> => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('mintDevJwt', () => {
  it('is an HS256 JWT with the recommender dev claims, signed with the dev secret', () => {
    const token = mintDevJwt({}, { nowSeconds: 1_800_000_000, ttlSeconds: 600 });
    const [header, claims, signature] = token.split('.');
    expect(decode(header ?? '')).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(decode(claims ?? '')).toEqual({ sub: 'u-1', iss: DEV_JWT.issuer, aud: DEV_JWT.audience, iat: 1_800_000_000, exp: 1_800_000_600 });
    expect(signature).toBe(createHmac('sha256', DEV_JWT.secret).update(`${header ?? ''}.${claims ?? ''}`).digest('base64url'));
  });

  it('changes its signature with the secret', () => {
    const at = { nowSeconds: 1, ttlSeconds: 60 };
    expect(mintDevJwt({}, { ...at, secret: 'another-secret-that-is-long-enough-123' }).split('.')[2]).not.toBe(mintDevJwt({}, at).split('.')[2]);
  });

  it('overrides claims, drops a claim set to undefined, and makes the wrong algorithms probes need', () => {
    const [, claims] = mintDevJwt({ sub: 'u-2', aud: undefined }, { nowSeconds: 10 }).split('.');
    expect(decode(claims ?? '')).toEqual({ sub: 'u-2', iss: DEV_JWT.issuer, iat: 10, exp: 610 });
    expect(mintDevJwt({}, { alg: 'none' }).endsWith('.')).toBe(true);
    const [header, body, signature] = mintDevJwt({}, { alg: 'HS512', nowSeconds: 1 }).split('.');
    expect(signature).toBe(createHmac('sha512', DEV_JWT.secret).update(`${header ?? ''}.${body ?? ''}`).digest('base64url'));
  });
});
