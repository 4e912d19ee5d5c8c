import type { LeadCard } from '@leadline/contracts';

type Named = Pick<LeadCard, 'firstName' | 'lastName' | 'company'>;

export function displayName(card: Named): string {
  const person = [card.firstName, card.lastName].filter((p) => p && p.trim()).join(' ');
  return person || card.company || 'Unnamed lead';
}

/** The company line is only worth showing when the title is a person's name. */
export function companyLine(card: Named): string | null {
  const person = [card.firstName, card.lastName].some((p) => p && p.trim());
  return person && card.company ? card.company : null;
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] ?? '?').slice(0, 2);
  return letters.toUpperCase();
}
