/**
 * Oversized bodies at once: memory must stay bounded whatever a client sends or declares. Several
 * clients stream bodies far over the 1 MiB limit (chunked, so nothing is declared up front) while
 * the service's resident memory is sampled; the figure is how much it grew over its idle size.
 * Resident memory is summed over the service's process group (`go run` and the program it runs,
 * uvicorn and its workers), read from /proc: Linux only, as CI is.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { statusOf } from './abuse.ts';
import type { Figure } from './figures.ts';

/** Resident bytes of every process in group `pgid` (0 when /proc is not there). */
export function groupRssBytes(pgid: number): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state ppid pgrp …
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'));
      total += rss ? Number(rss[1]) * 1024 : 0;
    } catch {
      // the process ended between readdir and read
    }
  }
  return total;
}

/** Streams `bytes` of JSON-ish filler as a chunked body; resolves with the status (null: none). */
function streamBody(port: number, target: string, bytes: number, opening: string): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    let sent = 0;
    const chunk = Buffer.from(`10000\r\n${'x'.repeat(0x10000)}\r\n`, 'latin1');
    const finish = (): void => {
      socket.destroy();
      resolve(statusOf(received));
    };
    socket.setTimeout(30_000, finish);
    socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
    socket.on('close', finish);
    socket.on('error', () => undefined); // a reset after the 413 is fine: 'close' follows
    const pump = (): void => {
      while (sent < bytes && !socket.destroyed) {
        sent += 0x10000;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
      if (!socket.destroyed) socket.write('0\r\n\r\n');
    };
    socket.on('connect', () => {
      socket.write(`POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`);
      socket.write(`${opening.length.toString(16)}\r\n${opening}\r\n`);
      pump();
    });
  });
}

export interface OversizeOptions {
  readonly clients?: number;
  readonly bytesEach?: number;
  /** The most the resident memory may grow (MiB). */
  readonly maxGrowthMiB: number;
  /** The JSON the body starts with, up to the string the filler grows: a field the route knows, so the limit (not a decode error) refuses it. */
  readonly opening: string;
}

/** `clients` bodies of `bytesEach` at once on `target`; figures: memory growth, 5xx, unanswered. */
export async function oversizedBodies(target: string, pgid: number | undefined, baseUrl: string, route: string, options: OversizeOptions): Promise<Figure[]> {
  const clients = options.clients ?? 8;
  const bytesEach = options.bytesEach ?? 64 << 20;
  if (pgid === undefined) return [{ target, measure: 'RSS growth under oversized bodies', value: Number.NaN, detail: 'no process id to measure' }];
  const port = Number(new URL(baseUrl).port);
  const idle = groupRssBytes(pgid);
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, groupRssBytes(pgid))), 25);
  let statuses: (number | null)[];
  try {
    statuses = await Promise.all(Array.from({ length: clients }, () => streamBody(port, route, bytesEach, options.opening)));
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, groupRssBytes(pgid));
  const mib = (n: number): number => Math.round((n / (1 << 20)) * 10) / 10;
  const serverErrors = statuses.filter((s) => s !== null && s >= 500).length;
  const accepted = statuses.filter((s) => s !== null && s < 400).length;
  const tried = `${String(clients)} × ${String(bytesEach >> 20)} MiB chunked bodies on ${route}`;
  return [
    { target, measure: 'RSS growth under oversized bodies', value: mib(peak - idle), unit: 'MiB', max: options.maxGrowthMiB, detail: `${tried}; idle ${String(mib(idle))} MiB, peak ${String(mib(peak))} MiB` },
    { target, measure: 'oversized bodies accepted or 5xx', value: serverErrors + accepted, unit: 'count', max: 0, detail: `answers: ${statuses.map((s) => (s === null ? 'none' : String(s))).join(' ')}` },
  ];
}
