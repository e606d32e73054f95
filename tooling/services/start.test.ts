import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { grpcHealthCheck } from '../lab-engine/grpc-health.ts';
import { findTool } from '../toolchain/tools.ts';
import { natsJetStreamReady, readinessFromGreeting } from '../lab-engine/nats-health.ts';
import { natsUrl, services } from './registry.ts';
import { startStack } from './start.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const python = path.join(root, '.venv/bin/python');

describe('a gRPC service in the registry', () => {
  it('declares the gRPC health wait', () => {
    const spec = services['recommender']?.spec(root, 1234, new Map([['python', python]]), new Map());
    expect(spec?.health).toEqual({ kind: 'grpc' });
    expect(spec?.env?.['PYTHONPATH']).toContain(path.join(root, 'python/gen'));
  });

  it.skipIf(!existsSync(python))('starts the recommender, waits for SERVING, and stops it', async () => {
    const stack = await startStack(root, 'recommender', new Map([['python', python]]));
    if (stack.status !== 'started') throw new Error(stack.message);
    try {
      const port = Number(new URL(stack.main.baseUrl).port);
      expect(await grpcHealthCheck(port)).toBe('SERVING');
      expect(await grpcHealthCheck(port, 'languagetracks.recommendations.v1.RecommendationService')).toBe('SERVING');
    } finally {
      await stack.stop();
    }
    expect(stack.main.output()).toContain('recommender listening on grpc://127.0.0.1:');
  }, 30_000);
});

describe('the NATS broker in the registry', () => {
  it('reads readiness from the greeting: JetStream on, off, or not NATS at all', () => {
    expect(readinessFromGreeting('INFO {"server_id":"x","jetstream":true}')).toBe(true);
    expect(readinessFromGreeting('INFO {"server_id":"x"}')).toContain('JetStream is off');
    expect(readinessFromGreeting('INFO {nope')).toContain('not JSON');
    expect(readinessFromGreeting('HTTP/1.1 400 Bad Request')).toContain('not a NATS greeting');
    expect(natsUrl('http://127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
  });

  it('starts nats-server with JetStream on a free port, waits for it, and stops it', async () => {
    const natsServer = findTool(root, 'nats-server');
    if (!natsServer) throw new Error('nats-server is missing: run `npm run bootstrap`');
    const stack = await startStack(root, 'nats', new Map([['nats-server', natsServer]]));
    if (stack.status !== 'started') throw new Error(stack.message);
    const port = Number(new URL(stack.main.baseUrl).port);
    try {
      expect(await natsJetStreamReady(port)).toBe(true);
    } finally {
      await stack.stop();
    }
    expect(await natsJetStreamReady(port)).toMatch(/ECONNREFUSED/);
  }, 30_000);
});
