import type pg from 'pg'
import { withTransaction } from '../db/transaction.ts'

/**
 * Makes ref_geo use the configured LOCAL_SRID: when it differs from the one recorded in ref_geo.settings, records it
 * and recomputes every areas.geom_local in one UPDATE (the trigger reads ref_geo.local_srid()). Called at boot by the
 * geo routes plugin; a no-op when unchanged. An SRID unknown to PostGIS stops the boot.
 */
export async function applyLocalSrid(pool: pg.Pool, srid: number): Promise<{ changed: boolean }> {
  const { rows } = await pool.query<{ local_srid: number }>('SELECT ref_geo.local_srid() AS local_srid')
  if (rows[0]?.local_srid === srid) return { changed: false }
  return withTransaction(pool, async (client) => {
    const known = await client.query(
      `SELECT 1 FROM spatial_ref_sys WHERE srid = $1 AND proj4text LIKE '%+units=m%'`,
      [srid],
    )
    if (!known.rowCount) {
      throw new Error(`LOCAL_SRID ${srid} is not a projected coordinate system in metres known to PostGIS`)
    }
    await client.query('UPDATE ref_geo.settings SET local_srid = $1', [srid])
    await client.query('UPDATE ref_geo.areas SET geom_local = ST_Transform(geom, $1::integer)', [srid])
    return { changed: true }
  })
}
