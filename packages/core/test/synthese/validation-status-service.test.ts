import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withTransaction } from '../../src/db/transaction.ts'
import { deleteSyntheseSource, upsertSyntheseRows } from '../../src/synthese/synthese-service.ts'
import { checkObservationUuids, setValidationStatus } from '../../src/synthese/validation-status-service.ts'
import { createTestApp, createUser, type TestApp } from '../helpers/index.ts'

describe('core services modules write observations through: validation statuses, a source’s deletion', () => {
  let t: TestApp
  let pool: pg.Pool
  let datasetId: number
  let digitiser: number
  let observer: number
  let validator: number
  const uuids = [randomUUID(), randomUUID(), randomUUID()]

  beforeAll(async () => {
    t = await createTestApp()
    pool = t.app.db.pool
    datasetId = (await pool.query('SELECT id FROM gn_meta.datasets ORDER BY id LIMIT 1')).rows[0].id
    digitiser = await createUser(pool, { login: 'dig' })
    observer = await createUser(pool, { login: 'obs' })
    validator = await createUser(pool, { login: 'val' })
    await pool.query(`UPDATE core.users SET first_name = 'Véra', last_name = 'Lidatrice' WHERE id = $1`, [
      validator,
    ])
    await withTransaction(pool, (client) =>
      upsertSyntheseRows(
        client,
        'TEST:validation',
        uuids.map((uuid, i) => ({
          uniqueIdSinp: uuid,
          datasetId,
          cdNom: i === 2 ? 60612 : 351,
          nomCite: 'x',
          dateMin: '2024-05-01',
          digitiserId: digitiser,
          observerIds: i === 0 ? [observer] : [],
          geometry: { type: 'Point', coordinates: [6.2, 44.8] },
        })),
      ),
    )
  })
  afterAll(() => t.close())

  const rowOf = async (uuid: string) =>
    (
      await pool.query(
        `SELECT (SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = s.id_nomenclature_valid_status)
                  AS status, s.validator, s.validation_comment AS comment,
                (SELECT json_agg(json_build_object('validator', vh.id_validator, 'automatic', vh.automatic,
                                                   'comment', vh.comment) ORDER BY vh.id)
                   FROM gn_synthese.validation_history vh WHERE vh.unique_id_sinp = s.unique_id_sinp) AS history
           FROM gn_synthese.synthese s WHERE s.unique_id_sinp = $1`,
        [uuid],
      )
    ).rows[0]

  it('gives a status by UUID and condition in one statement, and says who is concerned', async () => {
    const result = await withTransaction(pool, (client) =>
      setValidationStatus(client, {
        uniqueIds: uuids,
        where: ['s.cd_nom = $1'],
        params: [351],
        status: '2',
        validatorId: validator,
        comment: '  probable  ',
      }),
    )
    expect(result.changed).toBe(2)
    expect(result.status).toMatchObject({ code: '2', label: expect.any(String), id: expect.any(Number) })
    // The digitiser of both, the observer of the first.
    expect(result.concerned).toEqual([
      { userId: digitiser, count: 2, observationId: expect.any(Number) },
      { userId: observer, count: 1, observationId: expect.any(Number) },
    ])
    expect(await rowOf(uuids[0]!)).toEqual({
      status: '2',
      validator: 'Véra Lidatrice',
      comment: 'probable',
      history: [{ validator, automatic: false, comment: 'probable' }],
    })
    expect((await rowOf(uuids[2]!)).status).toBe('0') // the default: pending

    // The same status again: a history row each, nobody concerned (nothing changed for them).
    const again = await withTransaction(pool, (client) =>
      setValidationStatus(client, { uniqueIds: [uuids[0]!], status: '2', validatorId: validator }),
    )
    expect(again).toMatchObject({ changed: 1, concerned: [] })
  })

  it('records an automatic status without a validator', async () => {
    await withTransaction(pool, (client) =>
      setValidationStatus(client, {
        uniqueIds: [uuids[2]!],
        status: '1',
        validatorId: null,
        automatic: true,
      }),
    )
    expect(await rowOf(uuids[2]!)).toEqual({
      status: '1',
      validator: null,
      comment: null,
      history: [{ validator: null, automatic: true, comment: null }],
    })
  })

  it('refuses an unknown status (400 UNKNOWN_STATUS) and a selection of everything by mistake', async () => {
    await expect(
      withTransaction(pool, (client) =>
        setValidationStatus(client, { uniqueIds: uuids, status: '42', validatorId: validator }),
      ),
    ).rejects.toMatchObject({ statusCode: 400, code: 'UNKNOWN_STATUS' })
    await expect(
      withTransaction(pool, (client) => setValidationStatus(client, { status: '1', validatorId: validator })),
    ).rejects.toThrow(/uniqueIds or where/)
  })

  it('checks a selection by UUID: missing ones, and those failing each named condition', async () => {
    const ghost = randomUUID()
    const { missing, failing } = await checkObservationUuids(
      pool,
      [uuids[0]!.toUpperCase(), uuids[2]!, ghost],
      { frog: 's.cd_nom = $1', mine: 's.id_digitiser = $2' },
      [351, digitiser],
    )
    expect(missing).toEqual([ghost])
    expect(failing).toEqual({ frog: [uuids[2]], mine: [] })
  })

  it('deletes a source with its observations (their history stays: it is keyed by UUID)', async () => {
    const deleted = await withTransaction(pool, (client) => deleteSyntheseSource(client, 'TEST:validation'))
    expect(deleted).toBe(3)
    const left = await pool.query(
      `SELECT (SELECT count(*)::int FROM gn_synthese.sources WHERE name = 'TEST:validation') AS sources,
              (SELECT count(*)::int FROM gn_synthese.synthese WHERE unique_id_sinp = ANY($1::uuid[])) AS rows,
              (SELECT count(*)::int FROM gn_synthese.validation_history WHERE unique_id_sinp = ANY($1::uuid[])) AS history`,
      [uuids],
    )
    expect(left.rows[0]).toEqual({ sources: 0, rows: 0, history: 4 })
    expect(await withTransaction(pool, (client) => deleteSyntheseSource(client, 'TEST:none'))).toBe(0)
  })
})
