import { z } from 'zod';
import { checkpoint, isoDateTime, queryMeta } from './common.ts';

/** The workspace's settings: one aggregate, like the field policy. */
export const WORKSPACE_STREAM = 'workspace-default';

/** Before an admin has chosen one. */
export const DEFAULT_CURRENCY = 'USD';

const CURRENCY_MESSAGE = 'Choose a currency such as USD or EUR';

// Read once: the codes this runtime can format (Node and every browser the app supports know Intl.supportedValuesOf).
let supported: ReadonlySet<string> | null = null;
const supportedCurrencies = (): ReadonlySet<string> => (supported ??= new Set(Intl.supportedValuesOf('currency')));

/** An ISO 4217 code the runtime knows: three upper-case letters, such as EUR. */
export const currencyCode = z
  .string({ error: CURRENCY_MESSAGE })
  .refine((code) => /^[A-Z]{3}$/.test(code) && supportedCurrencies().has(code), CURRENCY_MESSAGE);

/** PUT /api/settings/workspace: every workspace setting, all of it at once. */
export const workspaceSettingsBody = z.object({ currency: currencyCode }).strict();
export type WorkspaceSettings = z.infer<typeof workspaceSettingsBody>;

export const defaultWorkspaceSettings: WorkspaceSettings = { currency: DEFAULT_CURRENCY };

// Stored events and answers keep only the shape: a code a runtime stops knowing must not make an event unreadable.
const storedCurrency = z.string().regex(/^[A-Z]{3}$/);

export const workspaceSettingsChangedV1 = z.object({ currency: storedCurrency });

/** GET /api/settings/workspace: the settings, the version to send back as If-Match (0 = never changed). */
export const workspaceSettingsDto = queryMeta.extend({
  currency: storedCurrency,
  version: z.number().int().nonnegative(),
  updatedAt: isoDateTime.nullable(),
  updatedBy: z.string().nullable(),
});
export type WorkspaceSettingsDto = z.infer<typeof workspaceSettingsDto>;

export const workspaceSettingsQuery = z.object({ minCheckpoint: checkpoint.optional() });
