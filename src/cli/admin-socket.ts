// The admin socket: how CLI commands reach a running server that holds the embedded data dir.
// Only one process may open the embedded database, so `stampede admin create` beside a running
// server asks that server to do it. The socket lives in the owner-only data dir and is itself
// 0600: whoever can use it could read the database files anyway.
import { chmodSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';

export const ADMIN_SOCKET = 'admin.sock';

export interface AdminCreate {
  command: 'admin-create';
  email: string;
  password: string;
}

export type AdminRequest = AdminCreate;
export type AdminReply = { ok: true; message: string } | { ok: false; error: string };

export type AdminHandler = (request: AdminRequest) => Promise<string>;

/** One JSON request per connection, one JSON reply, then the connection closes. */
export async function serveAdminSocket(dataDir: string, handle: AdminHandler, log: Logger): Promise<{ close(): Promise<void> }> {
  const file = path.join(dataDir, ADMIN_SOCKET);
  // The data dir lock is ours, so a socket file left here is a dead server's.
  rmSync(file, { force: true });
  const server: Server = createServer((socket) => {
    let input = '';
    socket.setEncoding('utf8');
    socket.on('error', () => undefined); // a client that hangs up early is its own business
    socket.on('data', (chunk: string) => {
      input += chunk;
      if (!input.includes('\n')) return;
      const reply = (answer: AdminReply) => socket.end(`${JSON.stringify(answer)}\n`);
      let request: AdminRequest;
      try {
        request = JSON.parse(input) as AdminRequest;
      } catch {
        return reply({ ok: false, error: 'the request is not JSON' });
      }
      handle(request).then(
        (message) => reply({ ok: true, message }),
        (error: unknown) => {
          log.warn({ err: error, command: request.command }, 'admin socket command failed');
          reply({ ok: false, error: (error as Error).message });
        },
      );
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(file, resolve));
  chmodSync(file, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        rmSync(file, { force: true });
      }),
  };
}

/** Sends a request to the server holding the data dir; undefined when no server listens there. */
export async function callAdminSocket(dataDir: string, request: AdminRequest): Promise<AdminReply | undefined> {
  const file = path.join(dataDir, ADMIN_SOCKET);
  return new Promise((resolve, reject) => {
    const socket = createConnection(file);
    let output = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => (output += chunk));
    socket.on('end', () => {
      try {
        resolve(JSON.parse(output) as AdminReply);
      } catch {
        reject(new Error(`the server at ${file} sent an unreadable reply`));
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') resolve(undefined);
      else reject(error);
    });
  });
}
