import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, parseConfig } from '../config.ts';
import { redactRedisUrl, redisEnv } from './config.ts';

const schema = z.object(redisEnv);

describe('REDIS_URL', () => {
  it.each(['redis://localhost:6379', 'redis://:secret@10.0.0.5:6380/2', 'rediss://user:pw@cache.example.com:6380', 'redis://redis'])('accepts %s', (url) => {
    expect(parseConfig(schema, { REDIS_URL: url }).REDIS_URL).toBe(url);
  });

  it('treats unset and empty as "start an embedded Redis"', () => {
    expect(parseConfig(schema, {}).REDIS_URL).toBeUndefined();
    expect(parseConfig(schema, { REDIS_URL: '' }).REDIS_URL).toBeUndefined();
  });

  it.each(['localhost:6379', 'http://localhost:6379', 'redis://', 'redis:///0'])('refuses %s naming the variable', (url) => {
    expect(() => parseConfig(schema, { REDIS_URL: url })).toThrow(ConfigError);
    expect(() => parseConfig(schema, { REDIS_URL: url })).toThrow(/REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/);
  });

  it('hides the password when shown', () => {
    expect(redactRedisUrl('redis://:s3cret@127.0.0.1:6390')).toBe('redis://:***@127.0.0.1:6390');
    expect(redactRedisUrl('rediss://u:p@h:1/2')).toBe('rediss://u:***@h:1/2');
    expect(redactRedisUrl('redis://localhost:6379')).toBe('redis://localhost:6379');
  });
});
