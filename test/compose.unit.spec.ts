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

const load = (file: string) => parse(fs.readFileSync(path.join(repoRoot, file), 'utf8'), { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };

/** Compose's `${VAR:-default}` and `${VAR:?message}` as a user who sets only the required variables gets them. */
function interpolate(value: string, given: Record<string, string>): string {
  return value.replace(/\$\{([A-Z_]+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op?: string, rest?: string) => {
    if (given[name] !== undefined) return given[name];
    if (op === '?') throw new Error(`${name} is required: ${rest}`);
    return rest ?? '';
  });
}

/** A master key as `openssl rand -base64 32` prints one. */
const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

const schemas: Record<string, z.ZodType> = { command: commandConfig, projector: projectorConfig, query: queryConfig };
/** `command`, `command1`, `command2` … are replicas of the command service. */
const roleOf = (name: string) => Object.keys(schemas).find((role) => new RegExp(`^${role}\\d*$`).test(name));
const envOf = (s: Service, given: Record<string, string> = {}) =>
  Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), { SESSION_SECRET: 'x'.repeat(40), MASTER_KEY, ...given })]));

const files = [
  { file: 'docker-compose.yml', gateway: 'deploy/gateway.conf', replicas: 1, esdbNodes: 1 },
  { file: 'docker-compose.cluster.yml', gateway: 'deploy/gateway.cluster.conf', replicas: 2, esdbNodes: 3 },
];

describe.each(files)('$file', ({ file, gateway, replicas, esdbNodes }) => {
  const compose = load(file);
  const services = compose.services;
  const app = Object.keys(services).filter((n) => roleOf(n));
  const esdb = Object.entries(services).filter(([, s]) => s.image?.startsWith('eventstore/eventstore:'));

  it('runs the expected replicas of each service', () => {
    for (const role of Object.keys(schemas)) expect(app.filter((n) => roleOf(n) === role), role).toHaveLength(replicas);
    expect(esdb).toHaveLength(esdbNodes);
    expect(services.postgres && services.redis && services.gateway).toBeTruthy();
  });

  it.each(Object.keys(services).filter((n) => roleOf(n)))('gives %s a configuration its own schema accepts', (name) => {
    const env = envOf(services[name]);
    const result = schemas[roleOf(name)!].safeParse(env);
    expect(result.error?.issues ?? []).toEqual([]);
    expect(env.HOST).toBe('0.0.0.0');
  });

  it('puts the events in EventStoreDB, reachable at a node of this file, and says how to switch', () => {
    for (const name of app.filter((n) => roleOf(n) !== 'query')) {
      const env = envOf(services[name]);
      expect(env.EVENT_STORE, name).toBe('eventstoredb');
      const hosts = [...env.EVENTSTORE_URL.matchAll(/(?:\/\/|,)([a-z0-9]+):2113/g)].map((m) => m[1]);
      expect(hosts.sort(), name).toEqual(esdb.map(([n]) => n).sort());
      for (const [node] of esdb) expect(services[name].depends_on?.[node]?.condition, `${name} waits for ${node}`).toBe('service_healthy');
      expect(schemas[roleOf(name)!].safeParse(envOf(services[name], { EVENT_STORE: 'postgres' })).success).toBe(true);
    }
  });

  it('marks EventStoreDB insecure mode loudly and keeps its data in a volume', () => {
    const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
    expect(text).toMatch(/!!! INSECURE MODE/);
    for (const [name, s] of esdb) {
      expect(s.environment?.EVENTSTORE_INSECURE, name).toBe('true');
      expect(s.environment?.EVENTSTORE_CLUSTER_SIZE, name).toBe(String(esdbNodes));
      const data = s.volumes?.find((v) => v.endsWith(':/var/lib/eventstore'));
      expect(data, `${name} data volume`).toBeTruthy();
      expect(compose.volumes).toHaveProperty(data!.split(':')[0]);
    }
    for (const name of ['postgres', 'redis']) {
      const volume = services[name].volumes?.[0]?.split(':')[0];
      expect(compose.volumes, name).toHaveProperty(volume!);
    }
  });

  it('refuses to start without a session secret', () => {
    for (const name of app) expect(() => interpolate(String(services[name].environment?.SESSION_SECRET), {})).toThrow(/SESSION_SECRET is required/);
  });

  it('gives the command and projector services one master key, and refuses to start without it', () => {
    for (const name of app.filter((n) => roleOf(n) !== 'query')) expect(() => interpolate(String(services[name].environment?.MASTER_KEY), {}), name).toThrow(/MASTER_KEY is required/);
  });

  it('pins every image and health-checks every long-running service', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.image) expect(s.image, name).toMatch(/^[^:]+:(?!latest$)[\w.-]+$/);
      if (s.image && !s.build) expect(s.image, name).toMatch(/:\d+\.\d+/); // third-party images to an exact release (PostgreSQL numbers its patch releases 17.6)
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

  it('health-checks the ports the services listen on, and the gateway routes to every replica', () => {
    const conf = fs.readFileSync(path.join(repoRoot, gateway), 'utf8');
    for (const name of app) {
      const env = envOf(services[name]);
      if (roleOf(name) === 'projector') {
        expect(services[name].healthcheck?.test.join(' ')).toContain(`:${env.METRICS_PORT}/health`);
        continue;
      }
      expect(services[name].healthcheck?.test.join(' ')).toContain(`:${env.PORT}/`);
      expect(conf).toMatch(new RegExp(`server ${name}:${env.PORT}[ ;]`));
      expect(services.gateway.depends_on?.[name]?.condition, `gateway waits for ${name}`).toBe('service_healthy');
    }
    expect(services.gateway.volumes?.some((v) => v.startsWith(`./${gateway}:`))).toBe(true);
  });

  it('trusts forward headers from the gateway alone, at its fixed address, which sets them itself', () => {
    const gatewayIp = interpolate(String((services.gateway as { networks?: { default?: { ipv4_address?: string } } }).networks?.default?.ipv4_address), {});
    const subnet = interpolate(String((compose as { networks?: { default?: { ipam?: { config?: { subnet?: string }[] } } } }).networks?.default?.ipam?.config?.[0]?.subnet), {});
    const [net, bits] = subnet.split('/');
    expect(Number(bits)).toBeGreaterThanOrEqual(16);
    expect(gatewayIp.split('.').slice(0, Number(bits) / 8).join('.')).toBe(net.split('.').slice(0, Number(bits) / 8).join('.'));
    for (const name of app.filter((n) => roleOf(n) !== 'projector')) expect(envOf(services[name]).TRUSTED_PROXIES, name).toBe(gatewayIp);
    const conf = fs.readFileSync(path.join(repoRoot, gateway), 'utf8');
    const locations = conf.split(/\n\s*location /).slice(1);
    expect(locations.length).toBeGreaterThanOrEqual(3);
    for (const location of locations) {
      expect(location).toMatch(/proxy_set_header Host \$http_host;/);
      expect(location).toMatch(/proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
      expect(location).toMatch(/proxy_set_header X-Forwarded-Host "";/);
    }
  });

  it('runs each service through the workspace start script that exists', () => {
    for (const name of app) {
      const cmd = services[name].command ?? [];
      expect(cmd.slice(0, 4)).toEqual(['npm', 'run', 'start', '-w']);
      expect(cmd[4]).toBe(`services/${roleOf(name)}`);
      const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, cmd[4], 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
      expect(pkg.scripts?.start).toBeTruthy();
    }
  });
});

describe('service configuration', () => {
  it('needs EVENTSTORE_URL with EVENT_STORE=eventstoredb, and only an esdb:// one', () => {
    const base = { DATABASE_URL: 'postgres://u:p@h:5432/d', SESSION_SECRET: 'x'.repeat(40), MASTER_KEY };
    for (const schema of [commandConfig, projectorConfig]) {
      expect(schema.safeParse(base).success).toBe(true);
      const missing = schema.safeParse({ ...base, EVENT_STORE: 'eventstoredb' });
      expect(missing.error?.issues.map((i) => i.path.join('.'))).toEqual(['EVENTSTORE_URL']);
      expect(schema.safeParse({ ...base, EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: 'http://x:2113' }).success).toBe(false);
      expect(schema.safeParse({ ...base, EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: 'esdb+discover://a:2113,b:2113?tls=false' }).success).toBe(true);
      expect(schema.safeParse({ ...base, EVENT_STORE: 'mongodb' }).success).toBe(false);
    }
  });

  it('needs MASTER_KEY (32 bytes in base64) or MASTER_KEY_FILE', () => {
    const base = { DATABASE_URL: 'postgres://u:p@h:5432/d', SESSION_SECRET: 'x'.repeat(40), MASTER_KEY };
    for (const schema of [commandConfig, projectorConfig]) {
      const { MASTER_KEY: _key, ...without } = base;
      expect(schema.safeParse(without).error?.issues.map((i) => i.path.join('.'))).toEqual(['MASTER_KEY']);
      expect(schema.safeParse({ ...without, MASTER_KEY_FILE: '/run/secrets/master-key.json' }).success).toBe(true);
      expect(schema.safeParse({ ...base, MASTER_KEY: 'c2hvcnQ=' }).error?.issues.map((i) => i.path.join('.'))).toEqual(['MASTER_KEY']);
      expect(schema.safeParse({ ...base, MASTER_KEY_PREVIOUS: `${MASTER_KEY},nope` }).error?.issues.map((i) => i.path.join('.'))).toEqual(['MASTER_KEY_PREVIOUS']);
    }
  });
});

describe('TRUSTED_PROXIES', () => {
  const base = { DATABASE_URL: 'postgres://u:p@h:5432/d', SESSION_SECRET: 'x'.repeat(40), MASTER_KEY };
  it.each([['command', commandConfig], ['query', queryConfig]] as const)('%s trusts no proxy by default and takes only IPs and CIDRs', (_name, schema) => {
    expect((schema.parse(base) as { TRUSTED_PROXIES: string[] }).TRUSTED_PROXIES).toEqual([]);
    expect((schema.parse({ ...base, TRUSTED_PROXIES: '10.0.0.5, 172.16.0.0/12,::1' }) as { TRUSTED_PROXIES: string[] }).TRUSTED_PROXIES).toEqual(['10.0.0.5', '172.16.0.0/12', '::1']);
    for (const bad of ['gateway', '10.0.0.0/33', '*', '10.0.0.1/8/2']) expect(schema.safeParse({ ...base, TRUSTED_PROXIES: bad }).success, bad).toBe(false);
  });
});
