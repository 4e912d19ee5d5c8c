import type { CreateLeadBody } from '@leadline/contracts';
import type { Random } from './random.ts';
import * as v from './vocabulary.ts';

/** One realistic lead body, as a rep would type it into the create form. */
export function generateLead(r: Random): CreateLeadBody {
  const firstName = r.pick(v.firstNames);
  const lastName = r.pick(v.lastNames);
  const company = `${r.pick(v.companyStems)} ${r.pick(v.companySuffixes)}`;
  const [country, , cities] = r.weighted(v.countries.map((c) => [c, c[1]] as const));
  const domain = company.toLowerCase().replace(/[^a-z]+/g, '');
  const dealValue = r.chance(0.85) ? Math.round(Math.exp(7 + r.next() * 4.5) / 10) * 10 : null;
  return {
    firstName,
    lastName,
    email: `${firstName}.${lastName}`.toLowerCase().normalize('NFD').replace(/[^a-z.]/g, '') + `@${domain}.example`,
    phone: `+${r.int(1, 99)} ${r.int(100, 999)} ${r.int(1000, 9999)}`,
    company,
    title: r.pick(v.titles),
    source: r.weighted(v.sources),
    industry: r.pick(v.industries),
    country,
    city: r.pick(cities),
    companySize: r.pick(v.companySizes),
    dealValue,
    expectedCloseDate: null,
    customFields: {},
  };
}
