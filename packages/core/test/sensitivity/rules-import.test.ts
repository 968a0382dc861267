import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rootDir } from '../../src/config.ts'
import { withTransaction } from '../../src/db/transaction.ts'
import { DEMO_SENSITIVITY_FILE } from '../../src/sensitivity/seed-demo-sensitivity.ts'
import {
  importSensitivityFile,
  type LineError,
  SensitivityFileError,
} from '../../src/sensitivity/sensitivity-import.ts'
import { upsertSyntheseRows } from '../../src/synthese/synthese-service.ts'
import { createTestApp, type TestApp } from '../helpers/index.ts'

const HEADER =
  'cd_nom,nom_cite,duree,perimetre,cd_sig,codage,autre,date_min,date_max,cd_occ_statut_biologique'
const SAMPLE = DEMO_SENSITIVITY_FILE.pathname

function writeFile(name: string, content: string | Buffer): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sensitivity-')), name)
  writeFileSync(file, content)
  return file
}

function cli(args: string[], databaseUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(rootDir, 'packages/core/src/cli/index.ts'), ...args],
      { cwd: rootDir, env: { ...process.env, DATABASE_URL: databaseUrl } },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }))
  })
}

describe('sensitivity:import (the INPN referential CSV)', () => {
  let t: TestApp
  let pool: pg.Pool
  let datasetId: number
  beforeAll(async () => {
    t = await createTestApp()
    pool = t.app.db.pool
    datasetId = (
      await pool.query(`SELECT id FROM gn_meta.datasets WHERE short_name = 'Faune opportuniste PNE'`)
    ).rows[0].id
    // A département to name with INSEED05 (the demo has no boundaries).
    await pool.query(
      `INSERT INTO ref_geo.areas (type_id, area_code, area_name, geom)
       SELECT id, '05', 'Hautes-Alpes', ST_Multi(ST_GeomFromText('POLYGON((5.4 44.2, 7.1 44.2, 7.1 45.2, 5.4 45.2, 5.4 44.2))', 4326))
         FROM ref_geo.area_types WHERE code = 'DEP'`,
    )
  })
  afterAll(() => t.close())

  /** The whole referential as comparable text, to prove that a failed import wrote nothing. */
  const snapshot = async () =>
    (
      await pool.query(`SELECT
        (SELECT json_agg(r ORDER BY r.id) FROM gn_sensitivity.rules r) AS rules,
        (SELECT json_agg(a ORDER BY a.rule_id, a.area_id) FROM gn_sensitivity.rule_areas a) AS areas,
        (SELECT json_agg(c ORDER BY c.rule_id, c.id_nomenclature) FROM gn_sensitivity.rule_criteria c) AS criteria,
        (SELECT count(*) FROM gn_sensitivity.rule_taxa) AS taxa,
        (SELECT json_agg(s.sensitivity_level ORDER BY s.id) FROM gn_synthese.synthese s) AS levels`)
    ).rows[0]
  const rulesOf = async (source: string) =>
    (
      await pool.query(
        `SELECT r.cd_nom, r.level, r.duration_years, r.period_start, r.period_end, r.active, r.comment,
                (SELECT array_agg(t.code || '/' || a.area_code) FROM gn_sensitivity.rule_areas ra
                   JOIN ref_geo.areas a ON a.id = ra.area_id JOIN ref_geo.area_types t ON t.id = a.type_id
                  WHERE ra.rule_id = r.id) AS areas,
                (SELECT array_agg(ty.mnemonique || ':' || n.cd_nomenclature) FROM gn_sensitivity.rule_criteria rc
                   JOIN ref_nomenclatures.nomenclatures n ON n.id = rc.id_nomenclature
                   JOIN ref_nomenclatures.types ty ON ty.id = n.type_id WHERE rc.rule_id = r.id) AS criteria
           FROM gn_sensitivity.rules r WHERE r.source = $1 ORDER BY r.id`,
        [source],
      )
    ).rows

  it('imports the sample, recomputes the observations it covers, and replaces the rules of its source on re-import', async () => {
    const lynx = randomUUID()
    const breeding = randomUUID()
    await withTransaction(pool, (client) =>
      upsertSyntheseRows(client, 'IMPORT_TEST', [
        {
          uniqueIdSinp: lynx,
          datasetId,
          cdNom: 60612,
          nomCite: 'Lynx',
          dateMin: '2024-10-01',
          geometry: { type: 'Point', coordinates: [6.2, 44.8] },
        },
        {
          uniqueIdSinp: breeding,
          datasetId,
          cdNom: 60612,
          nomCite: 'Lynx',
          dateMin: '2024-05-01',
          bioStatus: '3',
          geometry: { type: 'Point', coordinates: [6.2, 44.8] },
        },
      ]),
    )
    const report = await importSensitivityFile(pool, SAMPLE)
    expect(report).toMatchObject({
      source: 'sensitivity-sample.csv',
      encoding: 'utf-8',
      separator: ',',
      rules: 5,
      replaced: 0,
      inactive: 0,
      recomputed: 2,
    })
    expect(await rulesOf('sensitivity-sample.csv')).toMatchObject([
      { cd_nom: 60612, level: 2, duration_years: null, period_start: null, areas: null, criteria: null },
      {
        cd_nom: 60612,
        level: 3,
        period_start: '0301',
        period_end: '0831',
        criteria: ['STATUT_BIO:3'],
        comment: 'Illustrative: breeding, dens',
      },
      { cd_nom: 18437, level: 1, duration_years: 20 },
      {
        cd_nom: 351,
        level: 2,
        duration_years: 10,
        period_start: '1101',
        period_end: '0215',
        areas: ['M10/10kmL93E095N641'],
        criteria: ['STATUT_BIO:4'],
      },
      { cd_nom: 81065, level: 1, active: true },
    ])
    const { rows } = await pool.query(
      'SELECT unique_id_sinp::text AS uuid, sensitivity_level FROM gn_synthese.synthese WHERE unique_id_sinp = ANY($1::uuid[])',
      [[lynx, breeding]],
    )
    expect(Object.fromEntries(rows.map((r) => [r.uuid, r.sensitivity_level]))).toEqual({
      [lynx]: 2,
      [breeding]: 3,
    })

    const again = await importSensitivityFile(pool, SAMPLE)
    expect(again).toMatchObject({ rules: 5, replaced: 5, recomputed: 0 })
    expect(await rulesOf('sensitivity-sample.csv')).toHaveLength(5)
  })

  it('reads other separators, encodings and date forms, territories and criteria as GeoNature does', async () => {
    const text = [
      HEADER.replaceAll(',', ';'),
      '18437;Écrevisse à pattes blanches;10000;Département;INSEED05;3;Gorges;15/03;31/07;',
      '8326;Cicindela hybrida;;Département;INSEEDEP/ 5;2;;0401;--09-30;6',
      '11165;Coccinella septempunctata;15;France métropolitaine;TERFXFR;1;;;;OCC_COMPORTEMENT:4',
      '95186;Dittrichia graveolens;;France métropolitaine;;1;;2001-12-01;2002-01-31;9',
    ].join('\r\n')
    const file = writeFile('RefSensibilite.csv', Buffer.from(text, 'latin1'))
    const report = await importSensitivityFile(pool, file, { source: 'latin1 test', nationalOnly: true })
    expect(report).toMatchObject({ encoding: 'windows-1252', separator: ';', rules: 4, inactive: 2 })
    expect(await rulesOf('latin1 test')).toMatchObject([
      {
        cd_nom: 18437,
        level: 3,
        duration_years: null,
        period_start: '0315',
        period_end: '0731',
        active: false,
        areas: ['DEP/05'],
        comment: 'Gorges',
      },
      {
        cd_nom: 8326,
        level: 2,
        period_start: '0401',
        period_end: '0930',
        active: false,
        areas: ['DEP/05'],
        criteria: ['OCC_COMPORTEMENT:6'],
      },
      {
        cd_nom: 11165,
        level: 1,
        duration_years: 15,
        active: true,
        areas: null,
        criteria: ['OCC_COMPORTEMENT:4'],
      },
      {
        cd_nom: 95186,
        level: 1,
        period_start: '1201',
        period_end: '0131',
        active: true,
        criteria: ['STATUT_BIO:9'],
      },
    ])
    const nom = await pool.query(
      `SELECT nom_cite FROM gn_sensitivity.rules WHERE source = 'latin1 test' AND cd_nom = 18437`,
    )
    expect(nom.rows[0].nom_cite).toBe('Écrevisse à pattes blanches')
  })

  it('checks every line and reports each error with its line and column; nothing is written', async () => {
    const before = await snapshot()
    const text = [
      HEADER,
      '60612,"Lynx lynx, a comment',
      'over two lines",,France métropolitaine,TERFXFR,2,,,,', // line 2–3: fine
      '99999999,Unknown,,France métropolitaine,TERFXFR,2,,,,', // 4
      '60612,Lynx lynx,,France métropolitaine,TERFXFR,5,,,,', // 5
      '60612,Lynx lynx,abc,France métropolitaine,TERFXFR,2,,,,', // 6
      '60612,Lynx lynx,,Département,INSEED99,2,,,,', // 7
      '60612,Lynx lynx,,Département,XYZ,2,,,,', // 8
      '60612,Lynx lynx,,France métropolitaine,TERFXFR,2,,2000-03-01,,', // 9
      '60612,Lynx lynx,,France métropolitaine,TERFXFR,2,,2000-02-30,2000-06-01,', // 10
      '60612,Lynx lynx,,France métropolitaine,TERFXFR,2,,,,42', // 11
      '',
      'x12,Lynx lynx,,France métropolitaine,TERFXFR,high,,,,', // 13
      '99999999999,Lynx lynx,999999999999,France métropolitaine,TERFXFR,2,,,,', // 14
    ].join('\n')
    const error = await importSensitivityFile(pool, writeFile('bad.csv', text)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SensitivityFileError)
    const errors = (error as SensitivityFileError).errors.map((e: LineError) => [e.line, e.column, e.code])
    expect(errors).toEqual([
      [4, 'cd_nom', 'UNKNOWN_TAXON'],
      [5, 'codage', 'INVALID_LEVEL'],
      [6, 'duree', 'INVALID_DURATION'],
      [7, 'cd_sig', 'UNKNOWN_AREA'],
      [8, 'cd_sig', 'UNKNOWN_AREA'],
      [9, 'date_max', 'INVALID_PERIOD'],
      [10, 'date_min', 'INVALID_PERIOD'],
      [11, 'cd_occ_statut_biologique', 'UNKNOWN_NOMENCLATURE'],
      [13, 'cd_nom', 'UNKNOWN_TAXON'],
      [13, 'codage', 'INVALID_LEVEL'],
      [14, 'cd_nom', 'UNKNOWN_TAXON'],
      [14, 'duree', 'INVALID_DURATION'],
    ])
    expect((error as Error).message).toContain('line 7, cd_sig: no DEP area "99" in ref_geo (INSEED99)')
    expect(await snapshot()).toEqual(before)

    const noHeader = await importSensitivityFile(pool, writeFile('x.csv', 'cd_ref;niveau\n60612;2\n')).catch(
      (e: unknown) => e,
    )
    expect((noHeader as SensitivityFileError).errors.map((e) => [e.line, e.column, e.code])).toEqual([
      [1, 'cd_nom', 'MISSING_COLUMN'],
      [1, 'codage', 'MISSING_COLUMN'],
    ])
    expect(await snapshot()).toEqual(before)
  })

  it('--inactive-unknown-areas imports a rule whose territory is missing inactive, with the territory in its comment', async () => {
    const file = writeFile(
      'overseas.csv',
      `${HEADER}\n60612,Lynx lynx,,Département,INSEED971,2,,,,\n60612,Lynx lynx,,Guadeloupe,TERFXGP,1,Note,,,\n`,
    )
    const report = await importSensitivityFile(pool, file, { inactiveUnknownAreas: true })
    expect(report).toMatchObject({ rules: 2, inactive: 2, recomputed: 0 })
    expect(await rulesOf('overseas.csv')).toMatchObject([
      { active: false, areas: null, comment: 'territory not in ref_geo: INSEED971' },
      { active: false, areas: null, comment: 'Note — territory not in ref_geo: TERFXGP Guadeloupe' },
    ])
  })

  it('pnpm cli sensitivity:import and sensitivity:refresh', async () => {
    const bad = writeFile('cli-bad.csv', `${HEADER}\n60612,Lynx lynx,,France métropolitaine,TERFXFR,7,,,,\n`)
    const failed = await cli(['sensitivity:import', bad], t.databaseUrl)
    expect(failed.code).toBe(1)
    expect(failed.stderr).toContain('cli-bad.csv: 1 error(s), nothing imported:')
    expect(failed.stderr).toContain('line 2, codage: "7" is not a sensitivity level (0 to 4)')

    const imported = await cli(['sensitivity:import', SAMPLE, '--source', 'CLI sample'], t.databaseUrl)
    expect(imported.stdout).toMatch(
      /Sensitivity referential "CLI sample" \(utf-8, separator ","\): 5 rules imported/,
    )
    expect(imported.code).toBe(0)
    const refreshed = await cli(['sensitivity:refresh'], t.databaseUrl)
    expect(refreshed.stdout).toMatch(/Sensitivity refreshed: 0 observations changed level, 0 re-blurred/)
    expect(refreshed.code).toBe(0)
  }, 300_000)
})
