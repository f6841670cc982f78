// Debian's nginx in front of test instances, with the config operators use
// (deploy/nginx/stampede.conf): only the upstream addresses and the listen port are replaced.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findBinary, freePort, startReaper, waitFor } from './processes.js';

export const NGINX_CONFIG = path.resolve(import.meta.dirname, '../../deploy/nginx/stampede.conf');

export interface Nginx {
  url: string;
  /** The error log, for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

/** deploy/nginx/stampede.conf with its upstream servers replaced by `upstreams` (host:port) and listening on `port`. */
export function siteConfig(upstreams: string[], port: number): string {
  const config = readFileSync(NGINX_CONFIG, 'utf8');
  const serverLine = /^(\s*)server \S+:\d+( [^;]*)?;\n/m;
  const [, indent, parameters = ''] = serverLine.exec(config) ?? [];
  if (indent === undefined) throw new Error(`${NGINX_CONFIG} has no upstream server line`);
  const servers = upstreams.map((upstream) => `${indent}server ${upstream}${parameters};\n`).join('');
  return config.replace(new RegExp(`(${serverLine.source})+`, 'm'), servers).replace(/^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${port};`);
}

export async function startNginx(upstreams: string[]): Promise<Nginx> {
  const binary = findBinary('nginx') ?? ['/usr/sbin/nginx'].find((candidate) => findBinary(candidate));
  if (!binary) throw new Error('The test harness needs nginx. Install it: apt-get install -y nginx');
  const dir = mkdtempSync(path.join(tmpdir(), 'stampede-nginx-'));
  chmodSync(dir, 0o755); // nginx's workers run as nobody when started by root
  const port = await freePort();
  const temp = path.join(dir, 'temp');
  mkdirSync(temp, { mode: 0o777 });
  chmodSync(temp, 0o777);
  writeFileSync(path.join(dir, 'stampede.conf'), siteConfig(upstreams, port));
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 8192; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${temp}/${kind};`),
      `  include ${dir}/stampede.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  const command = [binary, '-p', dir, '-c', path.join(dir, 'nginx.conf')];
  const reaper = startReaper({ commands: [[...command, '-s', 'stop']], dirs: [dir] });
  const child = spawn(command[0]!, command.slice(1), { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  reaper.update({ pids: [child.pid!] });
  const log = () => {
    try {
      return readFileSync(path.join(dir, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  };
  const stop = async () => {
    child.kill('SIGTERM'); // fast shutdown of the master and its workers
    await exited;
    await reaper.release();
  };
  try {
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.end();
            resolve(true);
          });
          socket.on('error', () => resolve(false));
        }),
      10_000,
      `nginx on port ${port}`,
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}; nginx's error log:\n${log()}`, { cause: error });
  }
  return { url: `http://127.0.0.1:${port}`, log, stop };
}
