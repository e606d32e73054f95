/**
 * Is a NATS server ready for the catalogs' outbox? A NATS server greets every client with one
 * `INFO {json}` line before anything else; its `jetstream` field says whether JetStream (the
 * durable streams the outbox publishes to) is on. Reading that line is the whole check: no
 * client library, and a server that accepts connections without JetStream is not ready.
 */
import { connect } from 'node:net';

/** What the greeting says: ready, or why not. */
export function readinessFromGreeting(line: string): true | string {
  if (!line.startsWith('INFO ')) return `not a NATS greeting: ${line.slice(0, 60)}`;
  let info: unknown;
  try {
    info = JSON.parse(line.slice(5));
  } catch {
    return 'the NATS greeting is not JSON';
  }
  if (typeof info !== 'object' || info === null) return 'the NATS greeting is not an object';
  return (info as { jetstream?: unknown }).jetstream === true ? true : 'NATS answers, JetStream is off (start it with -js)';
}

/** Connect to 127.0.0.1:port, read the greeting (1 s at most), hang up. */
export function natsJetStreamReady(port: number, timeoutMs = 1_000): Promise<true | string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    const finish = (answer: true | string): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => finish('no NATS greeting in time'));
    socket.on('error', (error) => finish(error.message));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      const end = received.indexOf('\r\n');
      if (end >= 0) finish(readinessFromGreeting(received.slice(0, end)));
    });
  });
}
