/**
 * A second process for the audit tests: `tsx auditReplica.ts <count>` with DATABASE_URL. It runs an
 * audit chainer as a command service would, prints `ready`, waits for `go` on stdin, records
 * `count` audit events at once, prints their record ids as JSON, and exits once its chainer stopped.
 */
import { PostgresEventStore } from '@leadline/eventstore';
import { createLogger, createPool } from '@leadline/platform';
import { startAuditChainer } from '../audit/chainer.ts';
import { recordAudit } from '../audit/record.ts';
import { contextAt } from './audit.ts';

const count = Number(process.argv[2] ?? 50);
const url = process.env.DATABASE_URL!;
const pool = createPool(url, { max: 20, applicationName: 'audit-replica-process' });
const store = await PostgresEventStore.create(pool, url);
const chainer = await startAuditChainer({ pool, eventStore: store, logger: createLogger('audit-replica', 'silent') });
console.log('ready');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
const receipts = await Promise.all(Array.from({ length: count }, (_, i) => recordAudit(pool, contextAt(new Date()), { kind: 'restricted_read', subject: { type: 'lead', id: `process-${process.pid}-${i}` } })));
console.log(JSON.stringify(receipts.map((r) => r.recordId)));
await chainer.stop();
await pool.end();
