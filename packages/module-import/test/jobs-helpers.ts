// Helpers of the job, finalize, undo and scope tests.
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { createServer as createNetServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Database } from '@biodiv/core'
import { STAGING_SYNTHESE_COLUMNS, sourceColumnName, stagingTableName } from '../src/check/staging-table.ts'
import type { ImportConfig } from '../src/import-config.ts'

type Pool = Database['pool']

/** A MODULES_CONFIG_FILE holding this IMPORT configuration (in a new temporary folder). */
export async function moduleConfigFile(config: Partial<ImportConfig>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'biodiv-import-config-'))
  const file = join(dir, 'modules.json')
  await writeFile(file, JSON.stringify({ IMPORT: config }))
  return file
}

/** An import row in the given status, owned by `login`, with a field mapping (no file behind it unless given). */
export async function insertImport(
  pool: Pool,
  login: string,
  status: string,
  extra: { filePath?: string; columns?: string[]; datasetId?: number | null; validCount?: number } = {},
): Promise<number> {
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO import.imports (owner_id, organism_id, dataset_id, status, file_name, file_path, file_size,
                                 file_sha256, format, detected, encoding, separator, columns, field_mapping,
                                 valid_count)
     SELECT u.id, u.organism_id, $3, $2, 'obs.csv', $4, 10, 'x', 'csv',
            '{"format":"csv","encoding":"utf-8","bom":false,"separator":","}', 'utf-8', ',', $5,
            '{"cdNom":{"column":"cd_nom"}}', $6
       FROM core.users u WHERE u.login = $1
     RETURNING id`,
    [
      login,
      status,
      extra.datasetId ?? null,
      extra.filePath ?? `${randomUUID()}.csv`,
      JSON.stringify(extra.columns ?? ['cd_nom']),
      extra.validCount ?? null,
    ],
  )
  return rows[0]!.id
}

export interface StagedRow {
  line: number
  valid?: boolean
  uuid?: string | null
  cdNom?: number
  datasetId: number
  countMin?: number | null
  raw?: (string | null)[]
}

/**
 * What the check step leaves behind, made by hand: the staging table import.rows_<id> in its documented layout
 * (src/check/staging-table.ts) with these rows, at a point inside the demo areas.
 */
export async function stageRows(pool: Pool, importId: number, rawColumns: number, rows: StagedRow[]) {
  const table = stagingTableName(importId)
  const raw = Array.from({ length: rawColumns }, (_, i) => `${sourceColumnName(i)} text`)
  await pool.query(`DROP TABLE IF EXISTS ${table}`)
  await pool.query(
    `CREATE UNLOGGED TABLE ${table} (line integer PRIMARY KEY, field_count integer, ${raw.map((c) => `${c}, `).join('')}
       valid boolean NOT NULL, ${STAGING_SYNTHESE_COLUMNS.map(([c, t]) => `${c} ${t}`).join(', ')})`,
  )
  for (const r of rows) {
    const rawValues = Array.from({ length: rawColumns }, (_, i) => r.raw?.[i] ?? null)
    await pool.query(
      `INSERT INTO ${table} (line, field_count, valid, unique_id_sinp, entity_source_pk_value, id_dataset, cd_nom,
                             nom_cite, date_min, date_max, the_geom_4326, count_min
                             ${rawValues.map((_, i) => `, ${sourceColumnName(i)}`).join('')})
       VALUES ($1, ${rawColumns}, $2, $3, $4, $5, $6, 'Rana temporaria', '2024-05-01T08:00:00Z',
               '2024-05-01T08:00:00Z', ST_SetSRID(ST_MakePoint(6.2, 44.8), 4326), $7
               ${rawValues.map((_, i) => `, $${8 + i}`).join('')})`,
      [
        r.line,
        r.valid ?? true,
        r.uuid ?? null,
        String(r.line),
        r.datasetId,
        r.cdNom ?? 351,
        r.countMin ?? null,
        ...rawValues,
      ],
    )
  }
}

/** Polls `probe` until it returns a value other than undefined (or throws after `timeoutMs`). */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** The dataset the demo seed gives the demo organism (active, within its users' scope). */
export async function demoDatasetId(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ id: number }>(
    `SELECT id FROM gn_meta.datasets WHERE short_name = 'Faune opportuniste PNE'`,
  )
  return rows[0]!.id
}

export interface ChildServer {
  pid: number
  baseUrl: string
  /** kill -9: no shutdown hook runs, open transactions die with the connection. */
  kill(): Promise<void>
  /** SIGTERM and wait: jobs go back to the queue. */
  stop(): Promise<void>
}

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url))

/** The real server (packages/core/src/server.ts) in a child process, on a free port, once /api/health answers. */
export async function startChildServer(env: Record<string, string>): Promise<ChildServer> {
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createNetServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/core/src/server.ts'], {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      SESSION_SECRET: randomUUID() + randomUUID(),
      LOG_LEVEL: 'warn',
      LOGIN_RATE_LIMIT: '1000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output: string[] = []
  for (const stream of [child.stdout!, child.stderr!])
    stream.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let dead = false
  void exited.then(() => {
    dead = true
  })
  const baseUrl = `http://127.0.0.1:${port}`
  const end = Date.now() + 60_000
  for (;;) {
    if (dead) throw new Error(`server exited:\n${output.join('')}`)
    if (Date.now() > end) throw new Error(`server not ready:\n${output.join('')}`)
    const ok = await fetch(`${baseUrl}/api/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) break
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    pid: child.pid!,
    baseUrl,
    async kill() {
      child.kill('SIGKILL')
      await exited
    },
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
  }
}
