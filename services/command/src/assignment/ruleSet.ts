import type { AssignmentType, ConditionGroup } from '@leadline/contracts';
import type { EventPayload } from '../events.ts';

export type Rule = {
  id: string;
  name: string;
  priority: number;
  isActive: boolean;
  conditions: ConditionGroup;
  assignmentType: AssignmentType;
  teamId: string | null;
  userId: string | null;
};

/** Every rule lives in one stream, so that priorities and reorders are decided against the whole set. */
export const RULES_STREAM = 'assignmentrules-default';

export type RuleSetState = { rules: Map<string, Rule> };

export const initialRuleSet: RuleSetState = { rules: new Map() };

export function evolveRuleSet(state: RuleSetState, event: EventPayload): RuleSetState {
  if (event.type === 'AssignmentRuleSaved') {
    const rules = new Map(state.rules);
    rules.set(event.data.ruleId, { id: event.data.ruleId, ...event.data });
    return { rules };
  }
  if (event.type === 'AssignmentRuleDeleted') {
    const rules = new Map(state.rules);
    rules.delete(event.data.ruleId);
    return { rules };
  }
  if (event.type === 'AssignmentRulesReordered') {
    const rules = new Map(state.rules);
    event.data.ruleIds.forEach((id, i) => {
      const rule = rules.get(id);
      if (rule) rules.set(id, { ...rule, priority: (i + 1) * 10 });
    });
    return { rules };
  }
  return state;
}

export const ruleSetAggregate = { initialState: initialRuleSet, eventTypes: ['AssignmentRuleSaved', 'AssignmentRuleDeleted', 'AssignmentRulesReordered'] as const, evolve: evolveRuleSet };

/** Lower priority numbers first; equal priorities by name, then id, so the order is total. */
export const inPriorityOrder = (rules: Iterable<Rule>): Rule[] =>
  [...rules].sort((a, b) => a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.id < b.id ? -1 : 1));
