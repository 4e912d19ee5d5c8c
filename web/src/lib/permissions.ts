import type { LeadCard, Role } from '@leadline/contracts';

export type SessionUser = { id: string; email: string; name: string; role: Role };

export function canWrite(role: Role): boolean {
  switch (role) {
    case 'admin':
    case 'manager':
    case 'rep':
      return true;
    case 'auditor':
    case 'analyst':
      return false;
    default: {
      const _exhaustive: never = role;
      return _exhaustive;
    }
  }
}

/** A rep changes only leads they own or nobody owns; the server enforces it, the board just doesn't offer it. */
export function canMoveCard(user: SessionUser, card: Pick<LeadCard, 'ownerId'>): boolean {
  if (!canWrite(user.role)) return false;
  if (user.role === 'rep') return card.ownerId === null || card.ownerId === user.id;
  return true;
}

export function roleLabel(role: Role): string {
  return role.charAt(0).toUpperCase() + role.slice(1);
}

/** Who may be given leads: the roles that own leads, without disabled users (the server refuses them with 422 invalid-owner). */
export function assignableOwners<U extends { role: Role; disabled?: boolean }>(users: readonly U[]): U[] {
  return users.filter((u) => canWrite(u.role) && !u.disabled);
}
