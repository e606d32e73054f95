/**
 * The standard gRPC health check (`grpc.health.v1.Health/Check`) spoken over node:http2, so
 * the kit can wait for a gRPC service without @grpc/grpc-js: a unary gRPC call is one HTTP/2
 * POST whose body is a 5-byte frame header (compressed flag, big-endian length) and the
 * protobuf message; the status comes back in the `grpc-status` trailer (or header, for a
 * trailers-only answer). HealthCheckRequest is `string service = 1`; HealthCheckResponse is
 * `ServingStatus status = 1`.
 */
import { connect } from 'node:http2';

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';
const STATUS_NAMES: readonly ServingStatus[] = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return bytes;
}

/** The framed HealthCheckRequest for `service` ('' = the whole server). */
export function healthCheckFrame(service: string): Buffer {
  const name = Buffer.from(service, 'utf8');
  const message = name.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a, ...varint(name.length)]), name]);
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

/** The status in a framed HealthCheckResponse (an empty message is UNKNOWN, the proto default). */
export function parseHealthCheckResponse(body: Buffer): ServingStatus {
  if (body.length < 5) throw new Error(`gRPC health: short answer (${body.length} bytes)`);
  if (body[0] !== 0) throw new Error('gRPC health: compressed answers are not supported');
  const message = body.subarray(5, 5 + body.readUInt32BE(1));
  let status = 0;
  for (let i = 0; i < message.length; ) {
    const tag = message[i++] ?? 0;
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = message[i++] ?? 0;
      value |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80 && i < message.length);
    if (tag === 0x08) status = value;
    else if ((tag & 0x07) !== 0) throw new Error(`gRPC health: unexpected field tag ${tag}`);
  }
  return STATUS_NAMES[status] ?? 'UNKNOWN';
}

/**
 * One health check of `service` on 127.0.0.1:`port` (plaintext HTTP/2). Resolves with the
 * serving status; rejects when nothing answers, on a non-OK gRPC status, or after `timeoutMs`.
 */
export function grpcHealthCheck(port: number, service = '', timeoutMs = 1_000): Promise<ServingStatus> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${port}`);
    const finish = (error: Error | null, status?: ServingStatus): void => {
      clearTimeout(timer);
      session.destroy();
      if (error) reject(error);
      else resolve(status ?? 'UNKNOWN');
    };
    const timer = setTimeout(() => finish(new Error(`gRPC health: no answer within ${timeoutMs} ms`)), timeoutMs);
    session.on('error', (error) => finish(error));
    const stream = session.request({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const chunks: Buffer[] = [];
    let grpcStatus: string | undefined;
    let grpcMessage = '';
    const noteStatus = (headers: Record<string, unknown>): void => {
      const status = headers['grpc-status'];
      if (typeof status === 'string') grpcStatus = status;
      const message = headers['grpc-message'];
      if (typeof message === 'string') grpcMessage = decodeURIComponent(message);
    };
    stream.on('response', (headers) => noteStatus(headers));
    stream.on('trailers', (trailers) => noteStatus(trailers));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (error) => finish(error));
    stream.on('end', () => {
      if (grpcStatus !== '0') {
        finish(new Error(`gRPC health: status ${grpcStatus ?? 'missing'}${grpcMessage ? ` (${grpcMessage})` : ''}`));
        return;
      }
      try {
        finish(null, parseHealthCheckResponse(Buffer.concat(chunks)));
      } catch (error) {
        finish(error instanceof Error ? error : new Error(String(error)));
      }
    });
    stream.end(healthCheckFrame(service));
  });
}
