import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** Running, not a zombie: an orphan that exited stays a zombie until init reaps it, which can take seconds. */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(0) is all there is
  }
};

/** A redis-server working in dir: redis chdirs to its --dir, so on Linux its cwd says which data it holds. */
function isRedisIn(pid: number, dir: string): boolean {
  try {
    if (fs.existsSync('/proc/self')) {
      return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('redis-server') && fs.realpathSync(`/proc/${pid}/cwd`) === fs.realpathSync(dir);
    }
    return execFileSync('ps', ['-p', String(pid), '-o', 'comm='], { encoding: 'utf8' }).includes('redis-server');
  } catch {
    return false;
  }
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/**
 * A SIGKILLed parent leaves its redis-server running on the data directory; a second server on the
 * same append-only file would corrupt it. Stop the orphan (SIGTERM is redis's clean shutdown: it
 * fsyncs the AOF), then drop the pid file.
 */
export async function clearStaleRedis(dir: string, pidFile: string): Promise<void> {
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && isRedisIn(pid, dir)) {
    process.kill(pid, 'SIGTERM');
    if (!(await waitForExit(pid, 10_000))) {
      process.kill(pid, 'SIGKILL');
      await waitForExit(pid, 5_000);
    }
  }
  fs.rmSync(pidFile, { force: true });
}
