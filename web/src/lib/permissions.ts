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

/** Admins and managers run the sales floor: pipelines and stages, rules, teams, caps, bulk assignment, redistribution, simulations, templates. */
export function canManage(role: Role): boolean {
  return role === 'admin' || role === 'manager';
}

/** Admins only: users, field permissions, forgetting a person. */
export function isAdmin(role: Role): boolean {
  return role === 'admin';
}

/** A user checks themselves in and out; admins and managers set anyone's availability. */
export function canSetAvailability(user: SessionUser, userId: string): boolean {
  return canManage(user.role) || (user.id === userId && canWrite(user.role));
}

/** Auditors and admins read the audit log. */
export function mayReadAudit(role: Role): boolean {
  return role === 'auditor' || role === 'admin';
}

export type NavLink = { to: string; label: string; icon: string; testId: string; /** shown in the desktop header; the rest only in the menu */ primary: boolean };

/** Every page a role may open, in menu order: the header shows the primary ones, the phone menu (and the desktop "More") all of them. */
export function navLinks(role: Role): NavLink[] {
  const links: (NavLink & { show: boolean })[] = [
    { to: '/', label: 'Pipeline', icon: 'pi pi-th-large', testId: 'nav-board', primary: true, show: true },
    { to: '/leads', label: 'Leads', icon: 'pi pi-list', testId: 'nav-leads', primary: true, show: true },
    { to: '/analytics', label: 'Analytics', icon: 'pi pi-chart-line', testId: 'nav-analytics', primary: false, show: true },
    { to: '/activities', label: 'Activities', icon: 'pi pi-calendar', testId: 'nav-activities', primary: true, show: true },
    { to: '/activity-templates', label: 'Templates', icon: 'pi pi-clone', testId: 'nav-templates', primary: false, show: true },
    { to: '/assignments', label: 'Assignments', icon: 'pi pi-sitemap', testId: 'nav-assignments', primary: true, show: true },
    { to: '/users', label: 'Users', icon: 'pi pi-users', testId: 'nav-users', primary: true, show: isAdmin(role) },
    { to: '/settings', label: 'Settings', icon: 'pi pi-cog', testId: 'nav-settings', primary: true, show: isAdmin(role) },
    { to: '/audit', label: 'Audit', icon: 'pi pi-history', testId: 'nav-audit', primary: true, show: mayReadAudit(role) },
    { to: '/account', label: 'Your account', icon: 'pi pi-user', testId: 'nav-account', primary: false, show: true },
  ];
  return links.filter((l) => l.show).map(({ show: _show, ...l }) => l);
}

/**
 * Whom this user may give a lead to, as the server decides it: admins and managers anyone who may
 * own leads (or nobody); a rep only themselves or nobody, and only on a lead they own or nobody owns;
 * read-only roles no one. An empty list means no owner picker.
 */
export function ownerChoices<U extends { id: string; role: Role; disabled?: boolean }>(user: SessionUser, lead: Pick<LeadCard, 'ownerId'>, users: readonly U[]): U[] {
  if (!canWrite(user.role)) return [];
  if (user.role === 'rep') return canMoveCard(user, lead) ? assignableOwners(users).filter((u) => u.id === user.id) : [];
  return assignableOwners(users);
}
