import type { ServerMessage } from '@leadline/contracts';
import type { Principal } from '@leadline/platform';
import { viewOf, type FieldSnapshot } from '../fields/policyCache.ts';
import { redactCard } from '../fields/redact.ts';
import { sumsShown, withoutHiddenSums } from '../fields/sums.ts';
import type { Scope } from '../read/visibility.ts';

/**
 * What one client may receive of a message: the cards of a change redacted by the field
 * permissions, the column sums left out where they may not see every value. A change is worked
 * out once per scope and shared; this copies, never changes, the shared message.
 */
export function redactMessage(snapshot: FieldSnapshot, principal: Pick<Principal, 'userId' | 'role'>, scope: Scope, message: ServerMessage): ServerMessage {
  if (message.type !== 'change' || principal.role === 'admin') return message;
  const view = viewOf(snapshot, principal);
  const shown = sumsShown(view, scope);
  return { ...message, cards: message.cards.map((c) => redactCard(view, c)), totals: message.totals.map((t) => withoutHiddenSums(shown, t)) };
}
