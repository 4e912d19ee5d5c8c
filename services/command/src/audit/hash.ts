import crypto from 'node:crypto';
import type { AuditRecordedData } from '@leadline/contracts';

/**
 * JSON with object keys sorted (by UTF-16 code units, JavaScript's default order) and no whitespace:
 * the same value always gives the same text, whatever order its keys were written or stored in
 * (PostgreSQL's jsonb reorders them). Undefined properties are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
}

/** What an audit event's hash covers: every field but the two hashes. */
export type AuditContent = Omit<AuditRecordedData, 'prevHash' | 'hash'>;

export const contentOf = (data: AuditRecordedData): AuditContent => {
  const { prevHash: _prev, hash: _hash, ...content } = data;
  return content;
};

/** sha256(prevHash + canonical JSON of the content), as 64 lowercase hex digits. */
export const chainHash = (prevHash: string, content: AuditContent): string =>
  crypto.createHash('sha256').update(prevHash + canonicalJson(content), 'utf8').digest('hex');

/** The event data for `content` following the event whose hash is `prevHash`. */
export const sealed = (content: AuditContent, prevHash: string): AuditRecordedData => ({ ...content, prevHash, hash: chainHash(prevHash, content) });
