import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const main = path.join(root, 'apps', 'server', 'src', 'main.ts');

export interface ServerProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  /** Resolves once stdout contains `text`; rejects if the process exits first or on timeout. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
}

/** The real server entry point in a child process, with only the given environment (plus PATH). */
export function spawnServer(env: Record<string, string | undefined>): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    cwd: root,
    // TZ: the first site takes the server's zone; the specs expect UTC.
    env: { PATH: process.env.PATH, LOG_LEVEL: 'info', HOST: '127.0.0.1', TZ: 'UTC', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk) => {
    out += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    err += chunk;
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(text, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const matches = () => (typeof text === 'string' ? out.includes(text) : text.test(out));
        const timer = setTimeout(() => {
          clearInterval(poll);
          reject(new Error(`timed out waiting for ${text}; stdout: ${out.slice(-500)} stderr: ${err.slice(-500)}`));
        }, timeoutMs);
        const poll = setInterval(() => {
          if (matches()) {
            clearInterval(poll);
            clearTimeout(timer);
            resolve();
          }
        }, 20);
        exited.then((code) => {
          if (matches()) return;
          clearInterval(poll);
          clearTimeout(timer);
          reject(new Error(`server exited (${code}) before "${text}"; stderr: ${err.slice(-800)}`));
        });
      });
    },
  };
}

export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
