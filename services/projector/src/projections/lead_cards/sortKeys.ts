/**
 * The lead's name as the lead list sorts it: first and last name, lower case, null when both are
 * empty. The query side (services/query/src/read/leadSort.ts) writes the same expression with its
 * alias; they must stay equal or the planner cannot use the index built on this one (the lead list
 * e2e spec checks the plan).
 */
export const NAME_KEY = `NULLIF(btrim(lower(COALESCE(first_name, '') || ' ' || COALESCE(last_name, ''))), '')`;
