import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { effectiveFilters } from '../src/auth/grants.ts'
import { createSession, findSession } from '../src/auth/sessions.ts'
import { createTestDatabase, createUser, type TestDatabase } from './helpers/index.ts'

describe('permission rows with taxon/area filters', () => {
  it('keeps the rows that matter, widest scope first', () => {
    expect(effectiveFilters([])).toEqual([])
    // An unfiltered row makes the filtered rows of a scope not wider than its own redundant.
    expect(
      effectiveFilters([
        { scope: 1, taxon: 351, area: null },
        { scope: 2, taxon: null, area: null },
        { scope: 3, taxon: 185961, area: null },
        { scope: 1, taxon: null, area: null },
        { scope: 3, taxon: 185961, area: null },
      ]),
    ).toEqual([
      { scope: 3, taxon: 185961, area: null },
      { scope: 2, taxon: null, area: null },
    ])
    expect(
      effectiveFilters([
        { scope: 3, taxon: null, area: 7 },
        { scope: 3, taxon: null, area: null },
      ]),
    ).toEqual([{ scope: 3, taxon: null, area: null }])
  })

  describe('read with the session, in the same query', () => {
    let db: TestDatabase
    let pool: pg.Pool
    beforeAll(async () => {
      db = await createTestDatabase()
      pool = new pg.Pool({ connectionString: db.url, max: 2 })
    })
    afterAll(async () => {
      await pool.end()
      await db.drop()
    })

    it('returns the user’s and their groups’ rows with their filters, and the max scope as grants', async () => {
      const userId = await createUser(pool, { login: 'expert' })
      const area = (await pool.query('SELECT min(id) AS id FROM ref_geo.areas')).rows[0].id
      const { rows: group } = await pool.query(
        `INSERT INTO core.groups (name) VALUES ('Experts') RETURNING id`,
      )
      await pool.query('INSERT INTO core.user_groups (user_id, group_id) VALUES ($1, $2)', [
        userId,
        group[0].id,
      ])
      await pool.query(
        `INSERT INTO core.permissions (user_id, group_id, module_code, action, scope, taxon_cd_nom, area_id)
         VALUES ($1, NULL, 'VALIDATION', 'V', 3, 351, NULL), (NULL, $2, 'VALIDATION', 'V', 2, NULL, $3),
                ($1, NULL, 'VALIDATION', 'R', 1, NULL, NULL)`,
        [userId, group[0].id, area],
      )
      const token = await createSession(pool, userId, 1, {})
      const session = await findSession(pool, token, 1)
      expect(session?.grants.VALIDATION).toEqual({ V: 3, R: 1 })
      expect(effectiveFilters(session!.permissionRows.VALIDATION!.V!)).toEqual([
        { scope: 3, taxon: 351, area: null },
        { scope: 2, taxon: null, area },
      ])
      expect(session!.permissionRows.VALIDATION!.R).toEqual([
        { scope: 1, taxon: null, area: null, precise: false },
      ])
      expect(session!.permissionRows.OCCTAX).toBeUndefined()
    })
  })
})
