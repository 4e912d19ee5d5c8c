import type { LeadCard, LeadDto, StageDto, UserDto } from '@leadline/contracts';

/** Columns of a card, selected from `read.leads` aliased `l` joined to `read.users` aliased `u`. */
export const CARD_COLUMNS = `l.id, l.pipeline_id, l.stage_id, l.rank, l.first_name, l.last_name, l.company, l.deal_value,
  l.owner_id, u.name AS owner_name, l.version, l.updated_at, l.touched_at`;

export const LEAD_COLUMNS = `${CARD_COLUMNS}, l.email, l.phone, l.title, l.source, l.industry, l.country, l.city,
  l.company_size, l.expected_close_date::text AS expected_close_date, l.probability, COALESCE(l.custom_fields, '{}'::jsonb) AS custom_fields,
  l.lost_reason, l.won_at, l.created_at, l.forgotten_at,
  to_char(l.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key`;

export type CardRow = {
  id: string;
  pipeline_id: string;
  stage_id: string;
  rank: string;
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  deal_value: number | null;
  owner_id: string | null;
  owner_name: string | null;
  version: number | string;
  updated_at: Date;
  touched_at: Date;
};

export type LeadRow = CardRow & {
  email: string | null;
  phone: string | null;
  title: string | null;
  source: string | null;
  industry: string | null;
  country: string | null;
  city: string | null;
  company_size: string | null;
  expected_close_date: string | null;
  probability: number | null;
  custom_fields: Record<string, string | number | boolean | null>;
  lost_reason: string | null;
  won_at: Date | null;
  forgotten_at: Date | null;
  created_at: Date;
  /** created_at with microseconds, the list's sort key. */
  created_key: string;
};

export const toLeadCard = (r: CardRow): LeadCard => ({
  id: r.id,
  pipelineId: r.pipeline_id,
  stageId: r.stage_id,
  rank: r.rank,
  firstName: r.first_name,
  lastName: r.last_name,
  company: r.company,
  dealValue: r.deal_value === null ? null : Number(r.deal_value),
  ownerId: r.owner_id,
  ownerName: r.owner_name,
  version: Number(r.version),
  updatedAt: r.updated_at.toISOString(),
  touchedAt: r.touched_at.toISOString(),
});

export const toLeadDto = (r: LeadRow): LeadDto => ({
  ...toLeadCard(r),
  email: r.email,
  phone: r.phone,
  title: r.title,
  source: r.source,
  industry: r.industry,
  country: r.country,
  city: r.city,
  companySize: r.company_size,
  expectedCloseDate: r.expected_close_date,
  probability: r.probability === null ? null : Number(r.probability),
  customFields: r.custom_fields,
  lostReason: r.lost_reason,
  wonAt: r.won_at ? r.won_at.toISOString() : null,
  createdAt: r.created_at.toISOString(),
  forgottenAt: r.forgotten_at ? r.forgotten_at.toISOString() : null,
});

export type StageRow = {
  id: string;
  pipeline_id: string;
  name: string;
  color: string;
  order_position: number;
  is_active: boolean;
  is_won: boolean;
  is_lost: boolean;
  probability: number;
  rotting_days: number | null;
};

export const STAGE_COLUMNS = 's.id, s.pipeline_id, s.name, s.color, s.order_position, s.is_active, s.is_won, s.is_lost, s.probability, s.rotting_days';

export const toStageDto = (r: StageRow): StageDto => ({
  id: r.id,
  pipelineId: r.pipeline_id,
  name: r.name,
  color: r.color,
  orderPosition: Number(r.order_position),
  isActive: r.is_active,
  isWon: r.is_won,
  isLost: r.is_lost,
  probability: Number(r.probability),
  rottingDays: r.rotting_days === null ? null : Number(r.rotting_days),
});

export type UserRow = { id: string; email: string; name: string; role: UserDto['role']; team_id: string | null; disabled: boolean; time_zone: string | null; version: number; created_at: Date };

export const toUserDto = (r: UserRow): UserDto => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  teamId: r.team_id,
  disabled: r.disabled,
  timeZone: r.time_zone,
  version: Number(r.version),
  createdAt: r.created_at.toISOString(),
});
