import { streamNameFilter, type Filter } from '@eventstore/db-client';

/**
 * The categories of Leadline's streams (`<category>-<id>`). The catch-up subscription to `$all`
 * asks the server for these prefixes only, so EventStoreDB's own streams (`$stats-…`, `$$…`
 * metadata, projection outputs `$ce-…`) and other applications' streams never reach us.
 * A new stream category must be added here: `filter.unit.spec.ts` fails when the command service
 * builds a stream name with a category this list lacks, and the adapter refuses to append to one.
 */
export const LEADLINE_STREAM_CATEGORIES: readonly string[] = ['lead', 'pipeline', 'user', 'useremail', 'activity', 'activitytemplate', 'team', 'assignmentrules', 'roundrobin', 'routing', 'userrouting', 'redistribution', 'fieldpolicy', 'audit', 'auditindex'];

export type StreamSelection = { categories: readonly string[] };

export const prefixesOf = (selection: StreamSelection): string[] => selection.categories.map((c) => `${c}-`);

export const categoryOf = (streamId: string): string => {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
};

/** The server-side filter: stream names starting with one of our `<category>-` prefixes. */
export function serverFilter(selection: StreamSelection): Filter {
  if (selection.categories.length === 0) throw new Error('At least one stream category is needed');
  for (const c of selection.categories) {
    if (!/^[A-Za-z0-9_]+$/.test(c)) throw new Error(`Invalid stream category: ${c}`);
  }
  return streamNameFilter({ prefixes: prefixesOf(selection) });
}

/**
 * The same selection applied to one event on our side, plus system events excluded (types
 * starting with `$`, e.g. links and stream metadata). Used where the client has no server-side
 * filter (reading `$all` in pages: `readAll` of @eventstore/db-client 6.2 sends no filter) and as a
 * second check on subscription events.
 */
export function matchesSelection(selection: StreamSelection, streamId: string, type: string): boolean {
  if (streamId.startsWith('$') || type.startsWith('$')) return false;
  return prefixesOf(selection).some((p) => streamId.startsWith(p));
}
