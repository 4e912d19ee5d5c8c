import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { commandConfig } from '@leadline/command';
import { projectorConfig } from '@leadline/projector';
import { queryConfig } from '@leadline/query';
import { repoRoot } from '../scripts/stack.ts';

type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
};

const compose = parse(fs.readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

/** Compose's `${VAR:-default}` and `${VAR:?message}` as a user who sets only the required variables gets them. */
function interpolate(value: string, given: Record<string, string>): string {
  return value.replace(/\$\{([A-Z_]+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op?: string, rest?: string) => {
    if (given[name] !== undefined) return given[name];
    if (op === '?') throw new Error(`${name} is required: ${rest}`);
    return rest ?? '';
  });
}

const own: Record<string, z.ZodType> = { command: commandConfig, projector: projectorConfig, query: queryConfig };

describe('docker-compose.yml', () => {
  it.each(Object.keys(own))('gives the %s service a configuration its own schema accepts', (name) => {
    const env = Object.fromEntries(Object.entries(services[name].environment ?? {}).map(([k, v]) => [k, interpolate(String(v), { SESSION_SECRET: 'x'.repeat(40) })]));
    const result = own[name].safeParse(env);
    expect(result.error?.issues ?? []).toEqual([]);
    expect(env.HOST).toBe('0.0.0.0');
  });

  it('refuses to start without a session secret', () => {
    expect(() => interpolate(String(services.command.environment?.SESSION_SECRET), {})).toThrow(/SESSION_SECRET is required/);
  });

  it('pins every image and health-checks every long-running service', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.image) expect(s.image, name).toMatch(/^[^:]+:(?!latest$)[\w.-]+$/);
      if (name !== 'gateway') expect(s.healthcheck?.test.length, `${name} healthcheck`).toBeGreaterThan(0);
    }
  });

  it('starts services only after what they depend on is healthy', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
        expect(condition).toBe('service_healthy');
        expect(services[dep].healthcheck, `${dep} has a healthcheck`).toBeDefined();
      }
    }
  });

  it('health-checks the ports the services listen on, and the gateway routes to them', () => {
    const gateway = fs.readFileSync(path.join(repoRoot, 'deploy', 'gateway.conf'), 'utf8');
    for (const name of ['command', 'query']) {
      const port = services[name].environment?.PORT;
      expect(services[name].healthcheck?.test.join(' ')).toContain(`:${port}/`);
      expect(gateway).toContain(`server ${name}:${port};`);
    }
    expect(services.projector.healthcheck?.test.join(' ')).toContain(`:${services.projector.environment?.METRICS_PORT}/health`);
    expect(services.gateway.volumes?.some((v) => v.startsWith('./deploy/gateway.conf:'))).toBe(true);
  });

  it('runs each service through the workspace start script that exists', () => {
    for (const name of Object.keys(own)) {
      const cmd = services[name].command ?? [];
      expect(cmd.slice(0, 4)).toEqual(['npm', 'run', 'start', '-w']);
      const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, cmd[4], 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
      expect(pkg.scripts?.start).toBeTruthy();
    }
  });
});
