import { afterEach, describe, expect, it } from 'vitest';
import { browserZone, displayZone, formatDateTime, setDisplayZone, zoneChoices, zoneLabel } from './zone.ts';

describe('display time zone', () => {
  afterEach(() => setDisplayZone(null));

  it('shows times in the profile zone when one is chosen, else in the browser zone', () => {
    expect(displayZone()).toBe(browserZone());
    setDisplayZone('Pacific/Chatham');
    expect(displayZone()).toBe('Pacific/Chatham');
    const at = '2026-01-15T10:00:00Z'; // Chatham is UTC+13:45 in January (daylight time)
    expect(formatDateTime(at, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })).toBe('23:45');
    setDisplayZone('America/St_Johns');
    expect(formatDateTime(at, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })).toBe('06:30');
  });

  it('labels a zone with its offset at that moment (DST included), and offers UTC first', () => {
    expect(zoneLabel('Asia/Kolkata')).toBe('Asia/Kolkata (UTC+05:30)');
    expect(zoneLabel('America/St_Johns', new Date('2026-07-01T12:00:00Z'))).toBe('America/St Johns (UTC-02:30)');
    expect(zoneLabel('America/St_Johns', new Date('2026-01-01T12:00:00Z'))).toBe('America/St Johns (UTC-03:30)');
    expect(zoneLabel('UTC')).toBe('UTC (UTC+00:00)');
    expect(zoneChoices()[0]).toBe('UTC');
    expect(zoneChoices()).toContain('Asia/Kolkata');
  });
});
