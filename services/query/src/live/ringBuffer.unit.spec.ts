import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ringBuffer.ts';

describe('RingBuffer', () => {
  it('keeps the newest entries, oldest first, and hands back what it evicts', () => {
    const buffer = new RingBuffer<number>(3);
    expect([1, 2, 3].map((n) => buffer.push(n))).toEqual([undefined, undefined, undefined]);
    expect(buffer.push(4)).toBe(1);
    expect(buffer.push(5)).toBe(2);
    expect(buffer.toArray()).toEqual([3, 4, 5]);
    expect(buffer.length).toBe(3);
  });

  it('refuses a capacity below one', () => {
    expect(() => new RingBuffer(0)).toThrow();
  });
});
