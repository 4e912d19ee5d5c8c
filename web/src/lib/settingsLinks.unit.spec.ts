import { describe, expect, it } from 'vitest';
import { settingsElsewhere } from './settingsLinks.ts';

describe('settingsElsewhere', () => {
  it('links admins to every page where settings live', () => {
    expect(settingsElsewhere('admin').map((l) => l.to)).toEqual(['/users', '/assignments', '/', '/account']);
  });

  it('never links a role to a page it may not open', () => {
    for (const role of ['manager', 'rep', 'auditor', 'analyst'] as const) expect(settingsElsewhere(role).map((l) => l.to)).toEqual(['/assignments', '/', '/account']);
  });
});
