// Stops what the test harness started when the process that started it ends, however it ends:
// a crashed test file, SIGKILL, Ctrl-C. Runs detached, reads a pipe from its owner and acts
// when the kernel closes that pipe, so the owner needs no exit hook that a crash would skip.
// Each line on the pipe is the latest cleanup as JSON: { pids, commands, dirs }.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import process from 'node:process';

let cleanup = { pids: [], commands: [], dirs: [] };
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  const lines = pending.split('\n');
  pending = lines.pop();
  for (const line of lines) if (line) cleanup = { ...cleanup, ...JSON.parse(line) };
});
process.stdin.on('close', () => {
  for (const pid of cleanup.pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const [command, ...args] of cleanup.commands) {
    try {
      execFileSync(command, args, { stdio: 'ignore', timeout: 30_000 });
    } catch {
      // the server was already stopped by its owner
    }
  }
  for (const dir of cleanup.dirs) rmSync(dir, { recursive: true, force: true });
});
