import { defineProjection } from '../../engine/types.ts';
import { foldLeadCards, id, type LeadCardsEvent } from './fold.ts';
import { NAME_KEY } from './sortKeys.ts';
import { readLeads, readStages, writeLeads, writeStages } from './rows.ts';

/**
 * `read.leads`: one row per lead, the board's cards and the lead list. The owner's name is not
 * stored: the query side joins `read.users`, so a renamed user needs no lead rewritten.
 * `read.lead_cards_stages` is private: which stages are won, so that won_at is set on entering a
 * won stage even for a lead without a deal value (whose move carries wonValue null).
 * Set-based: one read of the batch's leads and stages, a fold in memory (fold.ts), one upsert each.
 */
export const leadCardsProjection = defineProjection({
  name: 'lead_cards',
  // 2: the overview's (stage_id, stage_entered_at) and (stage_id, updated_at) indexes, earlier autovacuum.
  // 3: activities touch a lead (activity_at, touched_at): rotting counts them; (stage_id, touched_at) index.
  // 4: forgotten_at; a LeadForgotten erases the names, email and phone.
  // 5: the lead list's sort indexes and the search's trigram indexes (docs/performance.md, "Lead list and search").
  version: 5,
  live: true,
  eventTypes: [
    'StageAdded',
    'StageUpdated',
    'LeadCreated',
    'LeadDetailsUpdated',
    'LeadMovedToStage',
    'LeadAssigned',
    'LeadDealValueChanged',
    'LeadExpectedCloseDateChanged',
    'LeadProbabilityChanged',
    'ActivityLogged',
    'ActivityCompleted',
    'LeadForgotten',
  ],
  tables: [
    {
      name: 'leads',
      // deal_value is numeric(16,2), not (15,2): the contracts accept values up to 1e13 inclusive.
      // Autovacuum after 1 % of the rows changed (default 20 %): the overview counts stages with
      // index-only scans, which fetch the heap row of every page changed since the last vacuum.
      ddl: (t) => `CREATE TABLE ${t} (
        id uuid PRIMARY KEY,
        pipeline_id uuid NOT NULL,
        stage_id uuid NOT NULL,
        rank text COLLATE "C" NOT NULL,
        first_name text,
        last_name text,
        email text,
        phone text,
        company text,
        title text,
        source text,
        industry text,
        country text,
        city text,
        company_size text,
        deal_value numeric(16,2),
        expected_close_date date,
        probability integer,
        custom_fields jsonb NOT NULL DEFAULT '{}'::jsonb,
        owner_id uuid,
        lost_reason text,
        won_at timestamptz,
        stage_entered_at timestamptz NOT NULL,
        version integer NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        activity_at timestamptz,
        forgotten_at timestamptz,
        touched_at timestamptz GENERATED ALWAYS AS (GREATEST(updated_at, activity_at)) STORED
      ) WITH (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01)`,
      // pg_trgm: trusted, so the database owner may create it without superuser rights.
      extensions: ['pg_trgm'],
      indexes: (t) => [
        `CREATE INDEX ON ${t} (stage_id, rank, id)`,
        `CREATE INDEX ON ${t} (owner_id)`,
        `CREATE INDEX ON ${t} (pipeline_id)`,
        `CREATE INDEX ON ${t} (created_at DESC, id DESC)`,
        `CREATE INDEX ON ${t} (stage_id, stage_entered_at)`,
        `CREATE INDEX ON ${t} (stage_id, touched_at)`,
        // The lead list's keyset sorts: the same expressions as services/query/src/read/leadSort.ts.
        `CREATE INDEX ON ${t} (updated_at, id)`,
        `CREATE INDEX ON ${t} ((${NAME_KEY} IS NULL), (COALESCE(${NAME_KEY}, '')), id)`,
        `CREATE INDEX ON ${t} ((company IS NULL), (COALESCE(lower(company), '')), id)`,
        `CREATE INDEX ON ${t} ((deal_value IS NULL), (COALESCE(deal_value, 0)), id)`,
        // Search: substring matches (ILIKE '%…%') through trigrams; the name as the search builds it.
        `CREATE INDEX ON ${t} USING gin ((COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')) gin_trgm_ops)`,
        `CREATE INDEX ON ${t} USING gin (company gin_trgm_ops)`,
        `CREATE INDEX ON ${t} USING gin (email gin_trgm_ops)`,
        `CREATE INDEX ON ${t} USING gin ((regexp_replace(phone, '[^0-9]', '', 'g')) gin_trgm_ops)`,
        `CREATE INDEX ON ${t} USING gin ((custom_fields ->> 'externalId') gin_trgm_ops)`,
      ],
    },
    {
      name: 'lead_cards_stages',
      ddl: (t) => `CREATE TABLE ${t} (stage_id uuid PRIMARY KEY, is_won boolean NOT NULL)`,
    },
  ],
  async handleBatch(ctx, batch) {
    const events = batch as LeadCardsEvent[];
    const leadIds = new Set<string>();
    const stageIds = new Set<string>();
    for (const event of events) {
      if ('leadId' in event.data) leadIds.add(id(event.data.leadId));
      if (event.type === 'StageAdded' || event.type === 'StageUpdated') stageIds.add(id(event.data.stageId));
      if (event.type === 'LeadMovedToStage') stageIds.add(id(event.data.toStageId));
    }
    const state = {
      leads: await readLeads(ctx, [...leadIds]),
      stages: await readStages(ctx, [...stageIds]),
      touchedLeads: new Set<string>(),
      touchedStages: new Set<string>(),
    };
    foldLeadCards(state, events, (leadId) => ctx.changed('leads', leadId));
    await writeLeads(ctx, [...state.touchedLeads].map((leadId) => state.leads.get(leadId)!));
    await writeStages(ctx, new Map([...state.touchedStages].map((stageId) => [stageId, state.stages.get(stageId)!])));
  },
});
