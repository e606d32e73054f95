/**
 * The reliability probes can fail: each is run against a deliberately broken server (one that
 * accepts any token, answers 500 to bad input, holds slow sockets for ever) and must report it.
 * The real services are measured by the `ts: reliability` gate (`pnpm reliability`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { abuse, catalogCases, request, sendRaw } from './abuse.ts';
import { renderTable, reportOf, verdictOf, type Figure } from './figures.ts';
import { killSchedule, readOutcome, seeded } from './kill-loop.ts';
import { groupRssBytes } from './memory.ts';
import { slowClients } from './slow-clients.ts';
import { badTokens, crossUserTokens, tokensThroughGateway } from './tokens.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function httpServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
}

const byName = (figures: Figure[], measure: string): Figure | undefined => figures.find((f) => f.measure === measure);

describe('the report', () => {
  it('fails on a figure over its max, prints info figures, and names a section that could not measure', () => {
    const over: Figure = { target: 't', measure: 'bad tokens accepted', value: 2, unit: 'count', max: 0 };
    const info: Figure = { target: 't', measure: 'tried', value: 9 };
    expect([verdictOf(over), verdictOf({ ...over, value: 0 }), verdictOf(info)]).toEqual(['over', 'ok', 'info']);
    expect(reportOf([{ section: 's', figures: [info, { ...over, value: 0 }] }], 10).ok).toBe(true);
    const failed = reportOf([{ section: 's', figures: [over] }, { section: 'x', error: 'did not start' }], 1500);
    expect(failed.ok).toBe(false);
    const text = renderTable(failed);
    expect(text).toContain('OVER');
    expect(text).toContain('FAILED x: did not start');
    expect(text).toContain('1 figure(s) over the limit, 1 section(s) could not measure');
  });
});

describe('the token probe', () => {
  it('counts every token a careless gateway accepts, and its 5xx', async () => {
    const acceptsAll = await httpServer((_req, res) => res.writeHead(200).end('{}'));
    const figures = await tokensThroughGateway(acceptsAll);
    expect(byName(figures, 'bad tokens accepted')?.value).toBe(badTokens().length * 3);
    expect(byName(figures, 'cross-user tokens accepted')?.value).toBe(crossUserTokens().length * 3);
    const crashes = await httpServer((_req, res) => res.writeHead(500).end());
    expect(byName(await tokensThroughGateway(crashes), '5xx on refused tokens')?.value).toBe((badTokens().length + crossUserTokens().length) * 3);
  });

  it('makes every kind of bad token distinct, and none of them valid', () => {
    const values = badTokens().map((t) => t.authorization);
    expect(new Set(values).size).toBe(values.length);
  });
});

describe('the bad-input probe', () => {
  it('counts 5xx answers and a service that no longer answers its health check', async () => {
    let alive = true;
    const fragile = await httpServer((req, res) => {
      if (req.url === '/healthz') return void res.writeHead(alive ? 200 : 503).end();
      if (req.method === 'POST') alive = false; // the first POST "breaks" it for good
      res.writeHead(req.method === 'POST' ? 500 : 404).end();
    });
    const figures = await abuse('fragile', Number(new URL(fragile).port), catalogCases(), '/healthz');
    expect(byName(figures, '5xx on bad input')?.value).toBeGreaterThan(10);
    expect(byName(figures, 'health check failed after the abuse')?.value).toBe(1);
  });

  it('reads the status line of a raw answer, and null when the server closes without one', async () => {
    const tcp: TcpServer = createTcpServer((socket: Socket) => socket.destroy());
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => tcp.close(() => resolve())));
    expect(await sendRaw((tcp.address() as AddressInfo).port, request('GET', '/'))).toBeNull();
    const ok = await httpServer((_req, res) => res.writeHead(204).end());
    expect(await sendRaw(Number(new URL(ok).port), request('GET', '/'))).toBe(204);
  });
});

describe('the slow-client probe', () => {
  it('counts sockets a server holds past its limit', async () => {
    const held: Socket[] = [];
    const patient: TcpServer = createTcpServer((socket: Socket) => {
      held.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => patient.listen(0, '127.0.0.1', resolve));
    closers.push(
      () =>
        new Promise((resolve) => {
          for (const s of held) s.destroy();
          patient.close(() => resolve());
        }),
    );
    const url = `http://127.0.0.1:${String((patient.address() as AddressInfo).port)}`;
    const figures = await slowClients('patient', url, { headMs: 200 }, 3);
    expect(byName(figures, 'slow-head sockets held past the limit')?.value).toBe(3);
    expect(byName(figures, 'health checks failed meanwhile')?.value).toBeGreaterThan(0);
  }, 20_000);
});

describe('resident memory of a process group', () => {
  it.runIf(process.platform === 'linux')('sums the group a detached child leads', async () => {
    // Wait for the child to SAY it runs: at 'spawn' it may still be exec'ing (16 KiB resident).
    const child = spawn(process.execPath, ['-e', 'console.log("ready"); setTimeout(() => {}, 10000)'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    closers.push(async () => void child.kill('SIGKILL'));
    await new Promise((resolve) => child.stdout.once('data', resolve));
    expect(groupRssBytes(child.pid ?? -1)).toBeGreaterThan(1 << 20);
    expect(groupRssBytes(2 ** 22 + 12345)).toBe(0);
  });
});

describe('the kill loop', () => {
  it('plans the same kills for the same seed: every victim at least once, inside the writes, in order', () => {
    const plan = { seed: 42, writes: 200, clients: 4, kills: 5 };
    const a = killSchedule(plan, ['broker', 'service', 'relay']);
    expect(killSchedule(plan, ['broker', 'service', 'relay'])).toEqual(a);
    expect(killSchedule({ ...plan, seed: 43 }, ['broker', 'service', 'relay'])).not.toEqual(a);
    expect(new Set(a.map((k) => k.victim))).toEqual(new Set(['broker', 'service', 'relay']));
    expect(a.every((k) => k.at >= 20 && k.at < 180 && k.downMs >= 100 && k.downMs < 800)).toBe(true);
    expect(a.map((k) => k.at)).toEqual([...a.map((k) => k.at)].sort((x, y) => x - y));
    expect(seeded(1)()).toBe(seeded(1)());
  });

  it('counts a product without its effect as lost, and an effect applied twice as duplicated', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kill-outcome-'));
    const file = path.join(dir, 'catalog.db');
    const db = new DatabaseSync(file);
    db.exec(`CREATE TABLE products (id TEXT PRIMARY KEY); CREATE TABLE outbox (id TEXT, sent_at TEXT);
      CREATE TABLE product_feed (product_id TEXT PRIMARY KEY, applied INTEGER NOT NULL);
      INSERT INTO products VALUES ('p1'), ('p2'), ('p3'), ('p4');
      INSERT INTO product_feed VALUES ('p1', 1), ('p2', 2), ('p4', 0);
      INSERT INTO outbox VALUES ('m1', NULL), ('m2', '2026-12-08');`);
    db.close();
    try {
      expect(readOutcome(file)).toEqual({ products: 4, lost: ['p3', 'p4'], duplicated: 1, pending: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
