import { spawn } from 'node:child_process'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rootDir } from '../../src/config.ts'
import { TAXREF_HEADER, TaxrefFormatError } from '../../src/taxonomy/taxref-format.ts'
import { importTaxrefFile, normalizeNameSql } from '../../src/taxonomy/taxref-import.ts'
import { createTestDatabase, type TestDatabase } from '../helpers/index.ts'
import { demoRows, syntheticRows, writeRaw, writeTaxref } from './taxref-fixture.ts'

function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(rootDir, 'packages/core/src/cli/index.ts'), ...args],
      {
        cwd: rootDir,
        env: { ...process.env, ...env },
      },
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

describe('taxref:import', () => {
  let db: TestDatabase
  let pool: pg.Pool
  const snapshot = async () =>
    (
      await pool.query(
        'SELECT cd_nom, cd_ref, lb_nom, nom_vern, path::text FROM taxonomie.taxref ORDER BY cd_nom',
      )
    ).rows

  beforeAll(async () => {
    db = await createTestDatabase()
    pool = new pg.Pool({ connectionString: db.url, max: 2 })
  })
  afterAll(async () => {
    await pool.end()
    await db.drop()
  })

  it('the demo seed holds the real extract, loaded through the importer', async () => {
    const { rows } = await pool.query(
      `SELECT cd_nom, lb_nom, lb_auteur, regne, classe, famille, group2_inpn, nom_vern FROM taxonomie.taxref
        WHERE cd_nom IN (60612, 351, 67111) ORDER BY cd_nom`,
    )
    expect(rows).toEqual([
      expect.objectContaining({
        cd_nom: 351,
        lb_nom: 'Rana temporaria',
        lb_auteur: 'Linnaeus, 1758',
        group2_inpn: 'Amphibiens',
        nom_vern: 'Grenouille rousse',
      }),
      expect.objectContaining({
        cd_nom: 60612,
        lb_nom: 'Lynx lynx',
        lb_auteur: '(Linnaeus, 1758)',
        regne: 'Animalia',
        classe: 'Mammalia',
        famille: 'Felidae',
        group2_inpn: 'Mammifères',
      }),
      expect.objectContaining({
        cd_nom: 67111,
        lb_nom: 'Alburnus alburnus',
        group2_inpn: 'Poissons',
        nom_vern: 'Ablette',
      }),
    ])
  })

  it('normalizes names the same way at import (inline SQL) and at query time (taxonomie.normalize_name)', async () => {
    const names = ['Écrevisse à pieds-blancs', "Lynx d'Europe", 'Œillet des Chartreux', 'ÆSCHNE  bleue', 'x']
    const { rows } = await pool.query(
      `SELECT n, taxonomie.normalize_name(n) AS f, ${normalizeNameSql('n')} AS inline FROM unnest($1::text[]) AS n`,
      [names],
    )
    expect(rows.map((r) => r.f)).toEqual([
      'ecrevisse a pieds blancs',
      'lynx d europe',
      'oeillet des chartreux',
      'aeschne bleue',
      'x',
    ])
    expect(rows.map((r) => r.inline)).toEqual(rows.map((r) => r.f))
  })

  it('imports a TAXREF file: rows, parent chain paths, synonyms on their valid name’s path, search terms', async () => {
    const report = await importTaxrefFile(pool, writeTaxref([...demoRows(), ...syntheticRows()]))
    expect(report).toMatchObject({ rows: 21, inserted: 13, updated: 0, unchanged: 8, deleted: 0, kept: [] })
    expect(report.rowsPerSecond).toBeGreaterThan(0)
    const { rows } = await pool.query(
      `SELECT cd_nom, parent_cd_nom, path::text FROM taxonomie.taxref WHERE cd_nom IN (90000009, 90000010, 90000012, 60612)
        ORDER BY cd_nom`,
    )
    expect(rows).toEqual([
      { cd_nom: 60612, parent_cd_nom: null, path: '60612' },
      {
        cd_nom: 90000009,
        parent_cd_nom: 90000008,
        path: '90000001.90000002.90000003.90000004.90000005.90000006.90000008.90000009',
      },
      {
        cd_nom: 90000010,
        parent_cd_nom: 90000006,
        path: '90000001.90000002.90000003.90000004.90000005.90000006.90000007',
      },
      { cd_nom: 90000012, parent_cd_nom: null, path: '90000012' },
    ])
    const terms = await pool.query(
      `SELECT grp, vernacular, term FROM taxonomie.taxref_search WHERE cd_nom = 18437 ORDER BY grp, term`,
    )
    expect(terms.rows).toEqual(
      expect.arrayContaining([
        { grp: 0, vernacular: false, term: 'austropotamobius pallipes' },
        { grp: 0, vernacular: true, term: 'ecrevisse a pieds blancs' },
        { grp: 1, vernacular: true, term: 'pieds blancs' },
      ]),
    )
  })

  it('re-import updates changed names, deletes absent unused ones and keeps (reports) absent names still used', async () => {
    await pool.query(`CREATE TABLE public.test_observations (id serial PRIMARY KEY,
                        cd_nom integer NOT NULL REFERENCES taxonomie.taxref (cd_nom))`)
    await pool.query('INSERT INTO public.test_observations (cd_nom) VALUES (90000012)')
    await pool.query(`INSERT INTO taxonomie.taxon_lists (code, name) VALUES ('T', 'Test') `)
    await pool.query(
      `INSERT INTO taxonomie.taxon_list_items (list_id, cd_nom) SELECT id, 90000009 FROM taxonomie.taxon_lists WHERE code = 'T'`,
    )
    // A newer version: other column order, an unknown column, no GROUP3_INPN, Bécasse renamed, two names gone.
    const rows = [...demoRows(), ...syntheticRows()]
      .filter((r) => !['90000009', '90000012'].includes(r.CD_NOM!))
      .map((r) => (r.CD_NOM === '90000008' ? { ...r, NOM_VERN: 'Bécasse des Synthmonts', CD_BA: '42' } : r))
    const header = [...TAXREF_HEADER.filter((h) => h !== 'GROUP3_INPN')].reverse().concat('CD_BA')
    const report = await importTaxrefFile(pool, writeTaxref(rows, header))
    expect(report).toMatchObject({
      rows: 19,
      inserted: 0,
      updated: 1,
      unchanged: 18,
      deleted: 1,
      kept: [{ cdNom: 90000012, usedBy: ['public.test_observations.cd_nom'] }],
      listItemsRemoved: 1,
    })
    const { rows: left } = await pool.query(
      'SELECT cd_nom, nom_vern FROM taxonomie.taxref WHERE cd_nom IN (90000008, 90000009, 90000012) ORDER BY cd_nom',
    )
    expect(left).toEqual([
      { cd_nom: 90000008, nom_vern: 'Bécasse des Synthmonts' },
      { cd_nom: 90000012, nom_vern: null },
    ])
    const terms = await pool.query(
      `SELECT term FROM taxonomie.taxref_search WHERE cd_nom = 90000008 AND vernacular`,
    )
    expect(terms.rows.map((r) => r.term).sort()).toEqual([
      'becasse des synthmonts',
      'des synthmonts',
      'synthmonts',
    ])
    // Importing the same file again changes nothing.
    const again = await importTaxrefFile(pool, writeTaxref(rows, header))
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 19, deleted: 0 })
    await pool.query('DROP TABLE public.test_observations')
  })

  it.each([
    [
      'a line with a wrong number of columns',
      (lines: string[]) => lines.splice(3, 1, `${lines[3]}\textra`),
      'line 4: 26 columns, the header has 25',
    ],
    [
      'a non-integer CD_NOM',
      (lines: string[]) => lines.splice(5, 1, lines[5]!.replace('\t90000005\t', '\t9000x005\t')),
      'line 6: CD_NOM "9000x005" is not an integer',
    ],
    [
      'an empty LB_NOM',
      (lines: string[]) => lines.splice(6, 1, lines[6]!.replace('\tSynthgenus\t', '\t\t')),
      'line 7: LB_NOM is empty',
    ],
    ['a CD_NOM given twice', (lines: string[]) => lines.push(lines[2]!), 'already given on line 3'],
    [
      'a missing required header',
      (lines: string[]) => lines.splice(0, 1, lines[0]!.replace('LB_NOM', 'LB_NAME')),
      'line 1: missing required column(s) LB_NOM',
    ],
  ])(
    'a malformed file (%s) stops with its line number and writes nothing',
    async (_case, corrupt, message) => {
      const before = await snapshot()
      const lines = [
        TAXREF_HEADER.join('\t'),
        ...syntheticRows().map((r) => TAXREF_HEADER.map((h) => r[h] ?? '').join('\t')),
      ]
      // Many valid rows before the bad one would already be in the COPY stream: nothing of them may remain.
      corrupt(lines)
      const error = await importTaxrefFile(pool, writeRaw(`${lines.join('\n')}\n`)).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TaxrefFormatError)
      expect((error as Error).message).toContain(message)
      expect(await snapshot()).toEqual(before)
    },
  )

  it('the CLI imports a file, prints rows/s, and exits 1 with the line number of a malformed one', async () => {
    const ok = await cli(['taxref:import', writeTaxref([...demoRows(), ...syntheticRows()])], {
      DATABASE_URL: db.url,
    })
    expect(ok.stderr).toBe('')
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/21 names in [\d.]+ s \(\d+ rows\/s\)/)
    expect(ok.stdout).toContain('inserted 1, updated 1')
    const bad = await cli(['taxref:import', writeRaw(`${TAXREF_HEADER.join('\t')}\nAnimalia\tx\n`)], {
      DATABASE_URL: db.url,
    })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('line 2: 2 columns, the header has 25')
  })
})
