import fs from 'node:fs';
import * as v from './vocabulary.ts';

export type Weighted = readonly (readonly [string, number])[];

/** The shares the generator draws lead sources and countries from. */
export type Distributions = { sources: Weighted; countries: Weighted; origin: 'built-in' | string };

export const builtInDistributions: Distributions = {
  sources: v.sources,
  countries: v.countries.map(([name, w]) => [name, w] as const),
  origin: 'built-in',
};

/** Splits one CSV line (RFC 4180 quotes, no embedded newlines: the X Education export has none). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') out.push(cell), (cell = '');
    else cell += ch;
  }
  out.push(cell);
  return out;
}

const counts = (values: string[]): Weighted => {
  const m = new Map<string, number>();
  for (const value of values) {
    const key = value.trim();
    if (!key || key.toLowerCase() === 'select' || key.toLowerCase() === 'unknown') continue;
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
};

/**
 * Lead source and country shares counted from a CSV with `Lead Source` and `Country` columns
 * (such as the X Education leads export). Only the shares are used; no row is copied.
 */
export function distributionsFromCsv(file: string): Distributions {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  const header = splitCsvLine(lines[0]);
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${file} has no "${name}" column`);
    return i;
  };
  const source = col('Lead Source');
  const country = col('Country');
  const rows = lines.slice(1).map(splitCsvLine);
  const sources = counts(rows.map((r) => r[source] ?? ''));
  const countries = counts(rows.map((r) => r[country] ?? ''));
  if (sources.length === 0 || countries.length === 0) throw new Error(`${file} has no usable Lead Source or Country values`);
  return { sources, countries, origin: file };
}
