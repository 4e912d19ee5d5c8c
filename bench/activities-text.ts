import type pg from 'pg';

/**
 * Realistic synthetic activity text for the search benchmark. A CRM's notes use a few very common
 * words ("call", "pricing", "follow") and a long tail of rare ones (names, products, places), so
 * the vocabulary is ~150 real sales words followed by ~20,000 generated pseudo-words, and each word
 * is drawn with a Zipf-like (log-uniform rank) distribution: the commonest word appears in about
 * half of all activities, a tail word in a handful. Deterministic: the same seed gives the same text.
 */
const HEAD = `call follow up pricing proposal demo meeting contract renewal discovery budget email sent left voicemail
  decision maker legal security review onboarding invoice quote discount trial signed next steps timeline quarter
  procurement champion objection competitor integration migration stakeholder approval kickoff workshop training
  support ticket escalation feedback roadmap feature request license seats upgrade downgrade churn risk expansion
  forecast pipeline qualified interested callback schedule reschedule agenda recap summary presentation slides
  reference customer case study pilot rollout deadline payment terms net thirty purchase order vendor form compliance
  audit questionnaire data privacy gdpr hosting region sso saml api webhook export import sandbox credentials
  intro referral partner reseller event webinar conference booth lunch dinner coffee office visit site tour
  product manager director vice president chief officer finance operations engineering marketing sales team
  monday tuesday wednesday thursday friday morning afternoon week month year urgent blocked waiting answered`.split(/\s+/).filter(Boolean);

const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'tas', 'vo', 'zu', 'bel', 'cor', 'dan', 'fi', 'gra', 'hol', 'jin', 'kel', 'mar', 'nor', 'pel', 'quin', 'ros', 'sten', 'tor', 'ul', 'vik', 'wen', 'xan', 'yor', 'zel'];

/** mulberry32: integer arithmetic only, so the sequence does not collapse into a short cycle. */
export function seededRandom(start: number): () => number {
  let seed = start;
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` words drawn like the SQL below does: rank log-uniform, so the head words dominate. */
export function sentence(words: string[], n: number, random: () => number): string {
  return Array.from({ length: n }, () => words[Math.floor(Math.exp(random() * Math.log(words.length + 1))) - 1]).join(' ');
}

export function vocabulary(size = 20_000): string[] {
  const words = new Set(HEAD);
  const next = seededRandom(7);
  while (words.size < size) {
    const n = 2 + Math.floor(next() * 3);
    words.add(Array.from({ length: n }, () => SYLLABLES[Math.floor(next() * SYLLABLES.length)]).join(''));
  }
  return [...words];
}

/**
 * Inserts `rows` activities straight into the activities projection's table (this measures the
 * search query, not the projector): subjects of 2-6 words, descriptions of 5-24 words, spread over
 * ~500 days of creation time, 2% deleted, half completed. The oldest 3,000 also name `legacyware`
 * (a product the company stopped selling): a word found only far back in time, the case that makes
 * a walk down the time index read the whole table.
 */
export const OLD_WORD = 'legacyware';

export async function insertSyntheticActivities(pool: pg.Pool, table: string, rows: number, words: string[]): Promise<void> {
  const draw = `($1::text[])[floor(exp(random() * ln(array_length($1::text[], 1) + 1)))::int]`;
  // Correlated with i, so PostgreSQL draws new words for every row.
  const text = (min: number, spread: number) => `(SELECT string_agg(${draw}, ' ') FROM generate_series(1, ${min} + (i::bigint * 7919) % ${spread}))`;
  const client = await pool.connect();
  try {
    await client.query('SELECT setseed(0.42)');
    for (let from = 1; from <= rows; from += 100_000) {
      await client.query(
        `INSERT INTO ${table} (id, lead_id, type, user_id, created_by, subject, description, details, completed_at, outcome, deleted_at, deleted_by, version, created_at, updated_at)
         SELECT gen_random_uuid(), gen_random_uuid(), (ARRAY['call','email','note','meeting','task','sms'])[1 + i % 6], gen_random_uuid(), 'bench',
                ${text(2, 5)}, ${text(5, 20)} || CASE WHEN i > $4::int - 3000 THEN ' ${OLD_WORD}' ELSE '' END, '{}'::jsonb,
                CASE WHEN i % 2 = 0 THEN now() - i * interval '40 second' END, CASE WHEN i % 2 = 0 THEN 'done' END,
                CASE WHEN i % 50 = 0 THEN now() END, CASE WHEN i % 50 = 0 THEN 'bench' END,
                1, now() - i * interval '43 second', now()
         FROM generate_series($2::int, $3::int) i`,
        [words, from, Math.min(rows, from + 99_999), rows],
      );
    }
  } finally {
    client.release();
  }
  await pool.query(`ANALYZE ${table}`);
}
