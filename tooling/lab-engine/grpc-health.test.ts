import { createServer, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { grpcHealthCheck, healthCheckFrame, parseHealthCheckResponse } from './grpc-health.ts';

/** A fake gRPC server answering Health/Check with `answer` (the request body is recorded). */
async function fakeServer(answer: (stream: ServerHttp2Stream, body: Buffer) => void): Promise<{ server: Http2Server; port: number; bodies: Buffer[] }> {
  const bodies: Buffer[] = [];
  const server = createServer();
  server.on('stream', (stream, headers) => {
    expect(headers[':path']).toBe('/grpc.health.v1.Health/Check');
    expect(headers['content-type']).toBe('application/grpc');
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      bodies.push(body);
      answer(stream, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, bodies };
}

function replyWith(status: number): (stream: ServerHttp2Stream) => void {
  return (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    const message = status === 0 ? Buffer.alloc(0) : Buffer.from([0x08, status]);
    const header = Buffer.alloc(5);
    header.writeUInt32BE(message.length, 1);
    stream.end(Buffer.concat([header, message]));
  };
}

let open: Http2Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (open ? open.close(resolve) : resolve(undefined)));
  open = undefined;
});

describe('gRPC health check over node:http2', () => {
  it('frames the request as gRPC: flag, big-endian length, then `string service = 1`', () => {
    expect([...healthCheckFrame('')]).toEqual([0, 0, 0, 0, 0]);
    expect([...healthCheckFrame('ab')]).toEqual([0, 0, 0, 0, 4, 0x0a, 2, 0x61, 0x62]);
    expect(healthCheckFrame('x'.repeat(200)).subarray(5, 8)).toEqual(Buffer.from([0x0a, 0xc8, 0x01]));
  });

  it('reads the serving status (an empty message is UNKNOWN)', () => {
    expect(parseHealthCheckResponse(Buffer.from([0, 0, 0, 0, 2, 0x08, 1]))).toBe('SERVING');
    expect(parseHealthCheckResponse(Buffer.from([0, 0, 0, 0, 2, 0x08, 2]))).toBe('NOT_SERVING');
    expect(parseHealthCheckResponse(Buffer.from([0, 0, 0, 0, 0]))).toBe('UNKNOWN');
    expect(() => parseHealthCheckResponse(Buffer.from([0, 0]))).toThrow(/short/);
  });

  it('asks a server and gets SERVING / NOT_SERVING, sending the service name', async () => {
    const fake = await fakeServer((stream, body) => replyWith(body.length > 5 ? 2 : 1)(stream));
    open = fake.server;
    expect(await grpcHealthCheck(fake.port)).toBe('SERVING');
    expect(await grpcHealthCheck(fake.port, 'pkg.Service')).toBe('NOT_SERVING');
    expect(fake.bodies[1]?.subarray(7).toString()).toBe('pkg.Service');
  });

  it('rejects a non-OK gRPC status (a trailers-only answer)', async () => {
    const fake = await fakeServer((stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '5', 'grpc-message': 'unknown%20service' }, { endStream: true });
    });
    open = fake.server;
    await expect(grpcHealthCheck(fake.port, 'nope')).rejects.toThrow('gRPC health: status 5 (unknown service)');
  });

  it('rejects when nothing listens', async () => {
    const fake = await fakeServer(() => undefined);
    const port = fake.port;
    await new Promise((resolve) => fake.server.close(resolve));
    await expect(grpcHealthCheck(port)).rejects.toThrow();
  });
});
