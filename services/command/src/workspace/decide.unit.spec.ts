import crypto from 'node:crypto';
import { describe, it } from 'vitest';
import { ForbiddenError } from '@leadline/platform';
import type { Role } from '@leadline/contracts';
import { deciderSpec } from '../testing/decider.ts';
import { metaFor } from '../testing/fixtures.ts';
import { decide, type WorkspaceCommand } from './decide.ts';
import { evolveWorkspace, initialWorkspace, type WorkspaceEvent, type WorkspaceState } from './workspace.ts';

const spec = deciderSpec<WorkspaceCommand, WorkspaceState, WorkspaceEvent>({ initialState: initialWorkspace, evolve: evolveWorkspace, decide });
const change = (currency: string, role: Role = 'admin'): WorkspaceCommand => ({ type: 'ChangeWorkspaceSettings', data: { currency }, metadata: metaFor(crypto.randomUUID(), role) });
const changed = (currency: string): WorkspaceEvent => ({ type: 'WorkspaceSettingsChanged', data: { currency } });

describe('ChangeWorkspaceSettings', () => {
  it('records the new currency', () => {
    spec.given([]).when(change('EUR')).then([changed('EUR')]);
    spec.given([changed('EUR')]).when(change('JPY')).then([changed('JPY')]);
  });

  it('records nothing when the currency is the one in force, the default USD included', () => {
    spec.given([]).when(change('USD')).then([]);
    spec.given([changed('EUR')]).when(change('EUR')).then([]);
  });

  it('changes back to USD once another currency was chosen', () => {
    spec.given([changed('EUR')]).when(change('USD')).then([changed('USD')]);
  });

  it('is for admins only', () => {
    for (const role of ['manager', 'rep', 'auditor', 'analyst'] as const) spec.given([]).when(change('EUR', role)).thenThrows(ForbiddenError);
  });
});
