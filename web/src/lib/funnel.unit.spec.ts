import { describe, expect, it } from 'vitest';
import { funnelSteps } from './funnel.ts';

const stage = (name: string, reached: number, conversionToNext: number | null, isLost = false) => ({
  stageId: '00000000-0000-4000-8000-000000000000', name, isWon: false, isLost, reached, conversionToNext, entries: reached, backwardEntries: 0, medianDays: null, p90Days: null, lostFrom: 0,
});

describe('funnelSteps', () => {
  it('leaves lost stages out and gives each step as a share of the first', () => {
    expect(funnelSteps({ stages: [stage('New', 8, 0.5), stage('Proposal', 4, 0.25), stage('Won', 1, null), stage('Lost', 3, null, true)] })).toEqual([
      { name: 'New', reached: 8, percentOfFirst: 100, conversionToNext: 50 },
      { name: 'Proposal', reached: 4, percentOfFirst: 50, conversionToNext: 25 },
      { name: 'Won', reached: 1, percentOfFirst: 12.5, conversionToNext: null },
    ]);
  });

  it('an empty cohort gives zero shares, not NaN', () => {
    expect(funnelSteps({ stages: [stage('New', 0, null)] })[0].percentOfFirst).toBe(0);
  });
});
