/** A benchmark's server in a process of its own, so that it shares no event loop with the load. */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Starts a process and waits for the first lines that name `count` URLs (a server says where it listens). */
export async function startProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
  count = 1,
): Promise<{ url: string; urls: string[]; stop: () => void }> {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const urls = await new Promise<string[]>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const found = [...out.matchAll(/(http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1] as string);
      if (found.length >= count) resolve(found.slice(0, count));
    });
    child.once('exit', (code) =>
      reject(new Error(`${args.join(' ')} exited (${code}) before it was ready: ${out}`)),
    );
  });
  return { url: urls[0] as string, urls, stop: () => child.kill('SIGTERM') };
}
