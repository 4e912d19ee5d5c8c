import type { Principal } from '@leadline/platform';

/** What rows of `read.leads` a user may see: everything, or a rep's own and unassigned leads. */
export type Scope = { kind: 'all' } | { kind: 'own'; userId: string };

export type RepVisibility = 'own' | 'all';

export const scopeFor = (principal: Principal, repVisibility: RepVisibility): Scope =>
  principal.role === 'rep' && repVisibility === 'own' ? { kind: 'own', userId: principal.userId } : { kind: 'all' };

export const scopeKey = (scope: Scope): string => (scope.kind === 'all' ? 'all' : `own:${scope.userId}`);

export function canSee(scope: Scope, ownerId: string | null): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'own':
      return ownerId === null || ownerId === scope.userId;
    default: {
      const _exhaustive: never = scope;
      return _exhaustive;
    }
  }
}

/**
 * The SQL condition restricting `alias` (a read.leads row) to the scope. The user id goes in as
 * a parameter: `params` receives it and the clause names it by its 1-based position.
 */
export function visibilitySql(scope: Scope, alias: string, params: unknown[]): string {
  switch (scope.kind) {
    case 'all':
      return 'TRUE';
    case 'own':
      params.push(scope.userId);
      return `(${alias}.owner_id = $${params.length}::uuid OR ${alias}.owner_id IS NULL)`;
    default: {
      const _exhaustive: never = scope;
      return _exhaustive;
    }
  }
}
