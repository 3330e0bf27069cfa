/**
 * One process at a time on an embedded (PGlite) database: two processes writing the same data directory
 * would corrupt it, so the directory holds a lock file naming the owner's pid. A lock left by a process that
 * no longer runs is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock or returns the pid holding it. The returned release function is idempotent. */
export function lockDataDir(dir: string): { release: () => void } | { heldBy: number } {
  const path = join(dir, 'stepwise.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        release: () => {
          if (!released) rmSync(path, { force: true });
          released = true;
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) return { heldBy: pid };
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  return { heldBy: -1 };
}
