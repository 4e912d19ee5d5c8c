import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { concurrentGroups, distributionsFromCsv, planDataset, splitCsvLine, type PlannedCommand } from './index.ts';

const stages = [
  { id: 's-new', name: 'New', isWon: false, isLost: false },
  { id: 's-qual', name: 'Qualified', isWon: false, isLost: false },
  { id: 's-prop', name: 'Proposal', isWon: false, isLost: false },
  { id: 's-won', name: 'Won', isWon: true, isLost: false },
  { id: 's-lost', name: 'Lost', isWon: false, isLost: true },
];
const base = { stages, ownerIds: ['u1', 'u2', 'u3'], start: Date.UTC(2025, 0, 1), end: Date.UTC(2025, 6, 1) };

describe('planDataset', () => {
  it('gives the same commands for the same seed and different ones for another seed', () => {
    const a = [...planDataset({ ...base, leads: 300, seed: 1 })];
    const b = [...planDataset({ ...base, leads: 300, seed: 1 })];
    const c = [...planDataset({ ...base, leads: 300, seed: 2 })];
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('creates every lead once, in time order, before any command on it, and closes lost leads with a reason', () => {
    const cmds = [...planDataset({ ...base, leads: 1000, seed: 42 })];
    const created = new Set<string>();
    let last = 0;
    const kinds = { create: 0, move: 0, assign: 0 };
    for (const cmd of cmds) {
      expect(cmd.at).toBeGreaterThanOrEqual(last);
      expect(cmd.at).toBeLessThanOrEqual(base.end);
      last = cmd.at;
      kinds[cmd.kind]++;
      if (cmd.kind === 'create') {
        expect(created.has(cmd.leadId)).toBe(false);
        created.add(cmd.leadId);
      } else expect(created.has(cmd.leadId)).toBe(true);
      if (cmd.kind === 'move' && cmd.body.stageId === 's-lost') expect(cmd.body.lostReason).toBeTruthy();
    }
    expect(kinds.create).toBe(1000);
    expect(kinds.move).toBeGreaterThan(800);
    expect(kinds.assign).toBeGreaterThan(150);
  });

  it('groups commands so that no lead (or its drop neighbour) appears twice in a group', () => {
    const cmds = [...planDataset({ ...base, leads: 500, seed: 3 })];
    const groups = [...concurrentGroups(cmds, 8)];
    expect(groups.flat()).toEqual(cmds);
    for (const g of groups) {
      const ids = g.flatMap((c: PlannedCommand) => (c.kind === 'move' && c.body.afterLeadId ? [c.leadId, c.body.afterLeadId] : [c.leadId]));
      expect(new Set(ids).size).toBe(ids.length);
      expect(g.length).toBeLessThanOrEqual(8);
    }
  });
});

describe('distributionsFromCsv', () => {
  it('counts sources and countries, ignoring blanks and "Select", and the plan follows them', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'datagen-')), 'leads.csv');
    const rows = ['Prospect ID,Lead Source,Country', ...Array.from({ length: 90 }, () => 'x,Google,India'), ...Array.from({ length: 10 }, () => 'x,"Referral, Partner",Select'), 'x,,'];
    fs.writeFileSync(file, rows.join('\n'));
    const d = distributionsFromCsv(file);
    expect(d.sources).toEqual([
      ['Google', 90],
      ['Referral, Partner', 10],
    ]);
    expect(d.countries).toEqual([['India', 90]]);
    const creates = [...planDataset({ ...base, leads: 400, seed: 5, distributions: d })].filter((c) => c.kind === 'create');
    const google = creates.filter((c) => c.kind === 'create' && c.body.source === 'Google').length;
    expect(google / creates.length).toBeGreaterThan(0.8);
    expect(creates.every((c) => c.kind === 'create' && c.body.country === 'India')).toBe(true);
  });

  it('splits quoted CSV cells', () => {
    expect(splitCsvLine('a,"b, c","d ""e"""')).toEqual(['a', 'b, c', 'd "e"']);
  });
});
