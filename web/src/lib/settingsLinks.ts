import type { Role } from '@leadline/contracts';
import { canManage, isAdmin } from './permissions.ts';

/** A setting that lives on its own page, linked from Settings. */
export type SettingsLink = { to: string; label: string; detail: string; icon: string; testId: string };

/** Where the other settings live, for this role: only pages the role may open, said as what they may do there. */
export function settingsElsewhere(role: Role): SettingsLink[] {
  const manage = canManage(role);
  const links: (SettingsLink & { show: boolean })[] = [
    { to: '/users', label: 'Users', detail: 'Invite people, change roles and home teams, disable accounts', icon: 'pi pi-users', testId: 'elsewhere-users', show: isAdmin(role) },
    {
      to: '/assignments',
      label: 'Teams and assignment',
      detail: manage ? 'Teams, capacity, assignment rules and redistribution' : 'Teams, who is available, and how leads are assigned',
      icon: 'pi pi-sitemap',
      testId: 'elsewhere-assignments',
      show: true,
    },
    {
      to: '/',
      label: 'Pipelines, stages and lost reasons',
      detail: manage ? 'On the board: the pipeline bar above the columns (New pipeline, Stages)' : 'On the board: the pipeline bar above the columns',
      icon: 'pi pi-th-large',
      testId: 'elsewhere-pipelines',
      show: true,
    },
    { to: '/account', label: 'Your profile', detail: 'Your name, password and signed-in devices', icon: 'pi pi-user', testId: 'elsewhere-account', show: true },
  ];
  return links.filter((l) => l.show).map(({ show: _show, ...l }) => l);
}
