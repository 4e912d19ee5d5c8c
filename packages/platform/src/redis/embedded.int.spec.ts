import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { findRedisServer, RedisNotFoundError } from './binary.ts';
import { createRedisClient } from './client.ts';
import { startEmbeddedRedis, type EmbeddedRedis } from './embedded.ts';
import { redisHealth } from './health.ts';
import { isAlive, waitForExit } from './stale.ts';

const dirs: string[] = [];
const servers: EmbeddedRedis[] = [];
const clients: Redis[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-redis-'));
  dirs.push(dir);
  return dir;
};
const start = async (dataDir: string) => {
  const server = await startEmbeddedRedis({ dataDir });
  servers.push(server);
  return server;
};
const connect = (url: string) => {
  const client = createRedisClient(url);
  client.on('error', () => {}); // refused connections are expected here; the assertions say what matters
  clients.push(client);
  return client;
};
const disconnect = async (client: Redis) => {
  await client.quit().catch(() => client.disconnect());
};

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  for (const server of servers.splice(0)) await server.stop();
});
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('embedded Redis', () => {
  it('starts on a loopback port with a password, answers PING and reports healthy', async () => {
    const server = await start(tempDir());
    expect(server.url).toMatch(/^redis:\/\/:[^@]+@127\.0\.0\.1:\d+$/);
    const client = connect(server.url);
    expect(await client.ping()).toBe('PONG');
    expect(await redisHealth(client)).toMatchObject({ status: 'ok' });
    const config = (await client.config('GET', 'appendonly')) as string[];
    expect(config).toEqual(['appendonly', 'yes']);
    expect(await client.config('GET', 'save')).toEqual(['save', '']);
    // Without the password nobody on this machine gets in.
    const anonymous = connect(`redis://127.0.0.1:${server.port}`);
    await expect(anonymous.ping()).rejects.toThrow(/NOAUTH/);
  });

  it('keeps data across a stop and a start (AOF, no RDB snapshot)', async () => {
    const dataDir = tempDir();
    const first = await start(dataDir);
    const client = connect(first.url);
    await client.set('survives', 'stop');
    await disconnect(client);
    await first.stop();
    expect(isAlive(first.pid)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'redis', 'appendonlydir'))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'redis', 'dump.rdb'))).toBe(false);

    const second = await start(dataDir);
    expect(second.url.replace(/:\d+$/, '')).toBe(first.url.replace(/:\d+$/, '')); // same password
    expect(await connect(second.url).get('survives')).toBe('stop');
  });

  it('recovers after a kill -9 of redis-server: acknowledged writes are in the AOF', async () => {
    const dataDir = tempDir();
    const first = await start(dataDir);
    const client = connect(first.url);
    await client.set('survives', 'kill');
    process.kill(first.pid, 'SIGKILL');
    await first.stop(); // returns at once: already gone
    expect(fs.existsSync(path.join(dataDir, 'redis', 'redis.pid'))).toBe(true); // left behind

    const second = await start(dataDir);
    expect(await connect(second.url).get('survives')).toBe('kill');
  });

  it('after a kill -9 of its parent, stops the orphaned redis-server and starts its own on the same data', async () => {
    const dataDir = tempDir();
    const module = path.join(path.dirname(fileURLToPath(import.meta.url)), 'embedded.ts');
    const code = `const { startEmbeddedRedis } = await import(${JSON.stringify(module)});
      const r = await startEmbeddedRedis({ dataDir: ${JSON.stringify(dataDir)} });
      console.log(JSON.stringify({ pid: r.pid, url: r.url }));
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      parent.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      parent.on('exit', (code) => reject(new Error(`parent exited ${code}: ${out}`)));
    });
    const orphan = JSON.parse(line) as { pid: number; url: string };
    const client = connect(orphan.url);
    await client.set('survives', 'parent kill');
    parent.kill('SIGKILL');
    await new Promise((r) => parent.once('exit', r));
    expect(isAlive(orphan.pid)).toBe(true); // still holding the AOF
    client.disconnect();

    const next = await start(dataDir);
    expect(await waitForExit(orphan.pid, 1000)).toBe(true);
    expect(next.pid).not.toBe(orphan.pid);
    expect(await connect(next.url).get('survives')).toBe('parent kill');
  });

  it('loads a truncated AOF (a crash mid-write) up to its last whole command', async () => {
    const dataDir = tempDir();
    const first = await start(dataDir);
    const client = connect(first.url);
    await client.set('before', 'truncation');
    await disconnect(client);
    await first.stop();
    const aofDir = path.join(dataDir, 'redis', 'appendonlydir');
    const incr = fs.readdirSync(aofDir).find((f) => f.endsWith('.incr.aof'))!;
    fs.appendFileSync(path.join(aofDir, incr), '*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$4\r\ntr');

    const second = await start(dataDir);
    const again = connect(second.url);
    expect(await again.get('before')).toBe('truncation');
    expect(await again.exists('after')).toBe(0);
    expect(fs.readFileSync(path.join(dataDir, 'redis', 'redis.log'), 'utf8')).toMatch(/truncated/i);
  });

  it('without a redis-server binary, says in one line how to install one or to set REDIS_URL', async () => {
    const empty = tempDir();
    const finder = { path: empty, dirs: [] };
    expect(() => findRedisServer(finder)).toThrow(RedisNotFoundError);
    const err = await startEmbeddedRedis({ dataDir: tempDir(), finder }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(RedisNotFoundError);
    const message = (err as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain('sudo apt-get install redis-server');
    expect(message).toContain('brew install redis');
    expect(message).toContain('REDIS_URL');
    expect(message).toContain(empty);
  });

  it('finds redis-server on PATH or in the usual install directories', () => {
    expect(findRedisServer()).toMatch(/\/redis-server$/);
    expect(findRedisServer({ path: '' })).toMatch(/^\/(usr|opt)\/.*redis-server$/);
  });
});

describe('BullMQ on the run’s Redis', () => {
  const url = process.env.REDIS_URL!;

  it('is given to the specs as REDIS_URL', () => {
    expect(url).toBe(inject('redisUrl'));
  });

  it('enqueues a job id once, processes it once, and fires a delayed job after its delay', async () => {
    const name = `roundtrip-${process.pid}-${Date.now()}`;
    const queue = new Queue(name, { connection: connect(url) });
    const processed: { id: string; at: number }[] = [];
    let resolveDelayed: () => void;
    const delayedDone = new Promise<void>((r) => (resolveDelayed = r));
    try {
      await queue.add('remind', { n: 1 }, { jobId: 'task-1:v1:0' });
      await queue.add('remind', { n: 2 }, { jobId: 'task-1:v1:0' });
      expect(await queue.getJobCounts('waiting', 'delayed')).toEqual({ waiting: 1, delayed: 0 });

      const worker = new Worker(
        name,
        async (job) => {
          processed.push({ id: job.id!, at: Date.now() });
          if (job.id === 'delayed-1') resolveDelayed();
        },
        { connection: connect(url) },
      );
      try {
        const added = Date.now();
        await queue.add('remind', {}, { jobId: 'delayed-1', delay: 700 });
        await delayedDone;
        expect(processed.map((p) => p.id)).toEqual(['task-1:v1:0', 'delayed-1']);
        expect(processed[1].at - added).toBeGreaterThanOrEqual(700);
        expect((await queue.getJob('task-1:v1:0'))?.data).toEqual({ n: 1 });
        // A job id already processed and kept is still a no-op.
        await queue.add('remind', { n: 3 }, { jobId: 'task-1:v1:0' });
        await new Promise((r) => setTimeout(r, 300));
        expect(processed).toHaveLength(2);
      } finally {
        await worker.close();
      }
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
