import type pg from 'pg'

/**
 * Counts a hit on `key` in a fixed window shared by every API instance (the counter lives in PostgreSQL).
 * Returns the hits in the current window and the seconds until it resets.
 */
export async function hitRateLimit(
  pool: pg.Pool,
  key: string,
  windowSeconds: number,
): Promise<{ hits: number; resetInSeconds: number }> {
  const { rows } = await pool.query<{ hits: number; reset: number }>(
    `INSERT INTO core.rate_limits AS r (key, window_start, hits) VALUES ($1, now(), 1)
     ON CONFLICT (key) DO UPDATE SET
       window_start = CASE WHEN r.window_start <= now() - make_interval(secs => $2) THEN now() ELSE r.window_start END,
       hits = CASE WHEN r.window_start <= now() - make_interval(secs => $2) THEN 1 ELSE r.hits + 1 END
     RETURNING hits, ceil(extract(epoch FROM (window_start + make_interval(secs => $2) - now())))::int AS reset`,
    [key, windowSeconds],
  )
  // Windows long past are dead weight: sweep them now and then rather than on every hit.
  if (Math.random() < 0.01) {
    await pool.query(`DELETE FROM core.rate_limits WHERE window_start < now() - interval '1 day'`)
  }
  const row = rows[0]!
  return { hits: row.hits, resetInSeconds: Math.max(1, row.reset) }
}
