import { ref } from 'vue';

/**
 * The time zone every date and time in the app is shown in: the one the user chose in their
 * profile, else this browser's. One place, so a rep in Kolkata and a manager in St. John's each
 * read the same instant in their own zone. Set by the auth store from `GET /api/auth/me`.
 */
const chosen = ref<string | null>(null);

export const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
export const setDisplayZone = (zone: string | null): void => {
  chosen.value = zone;
};
/** The zone in force: the profile's, else the browser's. */
export const displayZone = (): string => chosen.value ?? browserZone();

type DateOptions = Omit<Intl.DateTimeFormatOptions, 'timeZone'>;
const withZone = (options: DateOptions, zone?: string): Intl.DateTimeFormatOptions => ({ ...options, timeZone: zone ?? displayZone() });

/** "3 Mar 2026" in the display zone. */
export const formatDate = (iso: string | Date, options: DateOptions = { year: 'numeric', month: 'short', day: 'numeric' }, zone?: string): string =>
  new Date(iso).toLocaleDateString(undefined, withZone(options, zone));

/** "3 Mar 2026, 14:05" in the display zone. */
export const formatDateTime = (iso: string | Date, options: DateOptions = { dateStyle: 'medium', timeStyle: 'short' }, zone?: string): string =>
  new Date(iso).toLocaleString(undefined, withZone(options, zone));

/** ICU still lists some zones by their old names (CLDR keeps them canonical); people know the new ones. */
const CURRENT_NAMES: Record<string, string> = {
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Asia/Rangoon': 'Asia/Yangon',
  'Europe/Kiev': 'Europe/Kyiv',
  'America/Godthab': 'America/Nuuk',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
};

/** Every zone this browser knows, by current names, for the profile's picker (UTC first). */
export function zoneChoices(): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [browserZone()];
  const named = [...new Set(all.map((z) => CURRENT_NAMES[z] ?? z))].sort();
  return ['UTC', ...named.filter((z) => z !== 'UTC')];
}

/** "Asia/Kolkata (UTC+05:30)": the zone with its offset now. */
export function zoneLabel(zone: string, at: Date = new Date()): string {
  try {
    const part = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName');
    const offset = !part || part.value === 'GMT' ? 'UTC+00:00' : part.value.replace('GMT', 'UTC');
    return `${zone.replace(/_/g, ' ')} (${offset})`;
  } catch {
    return zone;
  }
}
