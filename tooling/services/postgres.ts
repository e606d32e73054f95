/**
 * A throw-away PostgreSQL server for the kit's own tooling (the reliability kill loops), the way
 * the Go and Python test suites start theirs where no Docker engine runs: Debian's `postgresql`
 * binaries from a temporary data directory on a free port — initdb + pg_ctl, as user postgres
 * (through runuser) when the kit runs as root, since PostgreSQL refuses to run as root.
 * `stop()` stops it at once and removes the directory.
 */
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { freePort, run } from '../lab-engine/process.ts';
import { findTool } from '../toolchain/tools.ts';

export interface LocalPostgres {
  /** `postgres://postgres@127.0.0.1:PORT/<database>`. */
  dsn(database: string): string;
  /** Runs one SQL statement (or a `;`-separated few) in `database`; rows as tab-separated lines. */
  sql(database: string, statement: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** The uid and gid of user postgres, read from /etc/passwd (undefined: no such user). */
function postgresAccount(): { uid: number; gid: number } | undefined {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
    const [, , uid, gid] = line?.split(':') ?? [];
    return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
  } catch {
    return undefined;
  }
}

export async function startPostgres(root: string): Promise<LocalPostgres> {
  const initdb = findTool(root, 'initdb');
  const pgCtl = findTool(root, 'pg_ctl');
  const psql = findTool(root, 'psql');
  if (!initdb || !pgCtl || !psql) throw new Error('PostgreSQL binaries (initdb, pg_ctl, psql) not found: npm run bootstrap installs them');
  const dir = mkdtempSync(path.join(tmpdir(), 'kit-pg-'));
  const asRoot = userInfo().uid === 0;
  const runAs: string[] = [];
  if (asRoot) {
    const account = postgresAccount();
    if (!account) throw new Error('running as root and there is no user postgres to run the server as');
    chownSync(dir, account.uid, account.gid);
    runAs.push('runuser', '-u', 'postgres', '--');
  }
  const exec = async (args: string[]): Promise<void> => {
    const [command, ...rest] = [...runAs, ...args];
    const ran = await run(command ?? '', rest, { cwd: dir, timeoutMs: 60_000 });
    if (ran.code !== 0) throw new Error(`${args[0] ?? ''} failed: ${(ran.stderr || ran.stdout).trim().split('\n').slice(-3).join(' ')}`);
  };
  const data = path.join(dir, 'data');
  const port = await freePort();
  let started = false;
  const stop = async (): Promise<void> => {
    if (started) await exec([pgCtl, '-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    started = false;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await exec([initdb, '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    await exec([pgCtl, '-D', data, '-o', `-h 127.0.0.1 -p ${String(port)} -k ${dir} -F`, '-l', path.join(dir, 'server.log'), '-w', '-t', '30', 'start']);
    started = true;
  } catch (error) {
    await stop();
    throw error;
  }
  const dsn = (database: string): string => `postgres://postgres@127.0.0.1:${String(port)}/${database}`;
  return {
    dsn,
    stop,
    sql: async (database, statement) => {
      const ran = await run(psql, ['-X', '-q', '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-d', dsn(database), '-c', statement], { cwd: dir, timeoutMs: 30_000 });
      if (ran.code !== 0) throw new Error(`psql: ${ran.stderr.trim().split('\n').slice(-2).join(' ')}`);
      return ran.stdout.split('\n').filter((l) => l.length > 0);
    },
  };
}
