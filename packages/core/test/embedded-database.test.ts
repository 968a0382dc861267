import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type EmbeddedDatabase,
  EmbeddedDatabaseError,
  startEmbeddedDatabase,
} from '../src/db/embedded-database.ts'

// PGlite + PostGIS: a first start takes ≈ 10 s, CREATE EXTENSION postgis ≈ 6 s, a reopen ≈ 5 s; slower machines
// or a busy CI runner can double that.
const SLOW = 300_000

const moduleUrl = new URL('../src/db/embedded-database.ts', import.meta.url)

async function withClient<T>(db: EmbeddedDatabase, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

function expectCode(code: string) {
  return expect.objectContaining({ name: 'EmbeddedDatabaseError', code })
}

/** Starts the embedded database in a child process (as `pnpm start` would) and resolves once it serves. */
async function startInChild(dataDir: string): Promise<ChildProcess> {
  const script = `
    const { startEmbeddedDatabase } = await import(${JSON.stringify(moduleUrl.href)})
    const db = await startEmbeddedDatabase({ dataDir: ${JSON.stringify(dataDir)} })
    console.log('READY ' + db.url)
    setInterval(() => {}, 1000)
  `
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../../..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('READY ')) resolve()
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before READY:\n${output}`)))
  })
  return child
}

describe('startEmbeddedDatabase', () => {
  let root: string
  let dataDir: string
  const logs: string[] = []
  const log = (msg: string) => logs.push(msg)

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'biodiv-embedded-'))
    dataDir = join(root, 'nested', 'pglite') // does not exist yet: must be created
  })
  afterAll(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it(
    'creates a database, serves PostGIS and the contrib extensions to pg through the socket, keeps writes',
    async () => {
      const db = await startEmbeddedDatabase({ dataDir, port: 0, log })
      try {
        expect(db.created).toBe(true)
        expect(db.url).toBe(`postgres://postgres@127.0.0.1:${db.port}/postgres`)
        expect(db.port).toBeGreaterThan(0)

        await withClient(db, async (c) => {
          await c.query('CREATE EXTENSION IF NOT EXISTS postgis')
          const version = await c.query<{ v: string }>('SELECT postgis_version() AS v')
          expect(version.rows[0]?.v).toMatch(/^3\.\d+ USE_GEOS=1 USE_PROJ=1/)
          // EPSG:2154 (Lambert-93) needs spatial_ref_sys and the PROJ database.
          const point = await c.query<{ wkt: string }>(
            'SELECT ST_AsText(ST_Transform(ST_SetSRID(ST_MakePoint(6.1, 44.8), 4326), 2154)) AS wkt',
          )
          const [x, y] = (point.rows[0]?.wkt.match(/^POINT\((\S+) (\S+)\)$/) ?? []).slice(1).map(Number)
          expect(x).toBeCloseTo(945087.18, 1)
          expect(y).toBeCloseTo(6416016.92, 1)

          await c.query('CREATE EXTENSION IF NOT EXISTS unaccent')
          await c.query('CREATE EXTENSION IF NOT EXISTS pg_trgm')
          await c.query('CREATE EXTENSION IF NOT EXISTS ltree')
          const contrib = await c.query(
            `SELECT unaccent('Écureuil roux') AS plain,
                    similarity('Sciurus vulgaris', 'Sciurus vulgarus') > 0.5 AS similar,
                    'Animalia.Chordata'::ltree @> 'Animalia.Chordata.Mammalia'::ltree AS ancestor`,
          )
          expect(contrib.rows[0]).toEqual({ plain: 'Ecureuil roux', similar: true, ancestor: true })
          await expect(c.query('CREATE EXTENSION hstore')).rejects.toThrow(/not available/)

          await c.query('CREATE SCHEMA IF NOT EXISTS occtax')
          await c.query(`CREATE TABLE occtax.observation (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            taxon text NOT NULL,
            geom geometry(Point, 4326) NOT NULL)`)
          const insert =
            'INSERT INTO occtax.observation (taxon, geom) VALUES ($1, ST_SetSRID(ST_MakePoint($2, $3), 4326))'

          await c.query('BEGIN')
          await c.query(insert, ['rolled back', 6.1, 44.8])
          await c.query('ROLLBACK')
          await c.query('BEGIN')
          await c.query(insert, ['Sciurus vulgaris', 6.1, 44.8])
          await c.query('COMMIT')

          const rows = await c.query('SELECT id, taxon, ST_X(geom) AS x FROM occtax.observation')
          expect(rows.rows).toEqual([
            { id: expect.stringMatching(/^[0-9a-f-]{36}$/), taxon: 'Sciurus vulgaris', x: 6.1 },
          ])

          // COPY … FROM STDIN (bulk imports, the demo seed) goes through the socket, and a failed one leaves the
          // connection usable.
          await c.query('CREATE TABLE occtax.copy_probe (n int, label text)')
          const copy = c.query(copyFrom('COPY occtax.copy_probe (n, label) FROM STDIN'))
          await pipeline(Readable.from(['1\tun\n2\td', 'eux\n', '3\ttrois\n']), copy)
          expect(copy.rowCount).toBe(3)
          await expect(
            pipeline(Readable.from(['x\tbad\n']), c.query(copyFrom('COPY occtax.copy_probe FROM STDIN'))),
          ).rejects.toThrow(/invalid input syntax for type integer/)
          const copied = await c.query(
            "SELECT string_agg(label, ',' ORDER BY n) AS labels FROM occtax.copy_probe",
          )
          expect(copied.rows[0]).toEqual({ labels: 'un,deux,trois' })

          // One session behind the socket: a second connection is refused, loudly.
          const second = new pg.Client({ connectionString: db.url, connectionTimeoutMillis: 5000 })
          second.on('error', () => undefined)
          await expect(second.connect()).rejects.toThrow()
          await second.end().catch(() => undefined)
        })
        await expect.poll(() => logs.some((m) => m.includes('refused a second connection'))).toBe(true)

        // A pool of exactly one connection is the supported way in.
        const pool = new pg.Pool({ connectionString: db.url, max: 1 })
        const counts = await Promise.all(
          [1, 2, 3].map(() => pool.query('SELECT count(*)::int AS n FROM occtax.observation')),
        )
        expect(counts.map((r) => r.rows[0]?.n)).toEqual([1, 1, 1])
        await pool.end()
      } finally {
        await db.close()
      }
      await db.close() // idempotent
    },
    SLOW,
  )

  it(
    'reopens after a process was killed with SIGKILL: stale lock removed, data still there',
    async () => {
      const child = await startInChild(dataDir)
      const lock = JSON.parse(await readFile(join(dataDir, 'embedded-database.lock'), 'utf8'))
      expect(lock.pid).toBe(child.pid)
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited

      logs.length = 0
      const db = await startEmbeddedDatabase({ dataDir, log })
      try {
        expect(db.created).toBe(false)
        expect(logs.join('\n')).toMatch(/stale lock left by process \d+/)
        await withClient(db, async (c) => {
          const rows = await c.query('SELECT taxon FROM occtax.observation')
          expect(rows.rows).toEqual([{ taxon: 'Sciurus vulgaris' }])
          const point = await c.query<{ wkt: string }>(
            'SELECT ST_AsText(ST_Transform(ST_SetSRID(ST_MakePoint(6.1, 44.8), 4326), 2154), 0) AS wkt',
          )
          expect(point.rows[0]?.wkt).toBe('POINT(945087 6416017)')
          const contrib = await c.query("SELECT unaccent('Écureuil') AS plain")
          expect(contrib.rows[0]).toEqual({ plain: 'Ecureuil' })
        })

        // Opening a directory this process already holds is refused.
        await expect(startEmbeddedDatabase({ dataDir })).rejects.toEqual(expectCode('DATA_DIR_LOCKED'))
      } finally {
        await db.close()
      }
    },
    SLOW,
  )

  it('refuses a directory held by another live process, without opening it', async () => {
    const sleeper = spawn('sleep', ['30'])
    try {
      const stat = readFileSync(`/proc/${sleeper.pid}/stat`, 'utf8')
      const processStart = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
      await writeFile(
        join(dataDir, 'embedded-database.lock'),
        JSON.stringify({
          pid: sleeper.pid,
          hostname: hostname(),
          processStart,
          since: new Date().toISOString(),
        }),
      )
      const error = await startEmbeddedDatabase({ dataDir }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(EmbeddedDatabaseError)
      expect(error).toEqual(expectCode('DATA_DIR_LOCKED'))
      expect((error as Error).message).toContain(`in use by process ${sleeper.pid}`)
    } finally {
      sleeper.kill()
      await rm(join(dataDir, 'embedded-database.lock'), { force: true })
    }
  })

  it('fails fast with a clear error when the port is taken', async () => {
    const blocker: Server = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const address = blocker.address()
    const port = typeof address === 'object' && address ? address.port : 0
    try {
      const started = performance.now()
      const error = await startEmbeddedDatabase({ dataDir, port }).catch((e: unknown) => e)
      expect(error).toEqual(expectCode('PORT_IN_USE'))
      expect((error as Error).message).toContain(`port ${port} on 127.0.0.1 is already in use`)
      expect(performance.now() - started).toBeLessThan(1000) // checked before the slow PGlite start
    } finally {
      blocker.close()
    }
  })

  it('refuses a non-empty directory that holds no database', async () => {
    const other = join(root, 'not-a-database')
    await mkdir(other)
    await writeFile(join(other, 'notes.txt'), 'precious')
    await expect(startEmbeddedDatabase({ dataDir: other })).rejects.toEqual(expectCode('DATA_DIR_INVALID'))
    expect(await readFile(join(other, 'notes.txt'), 'utf8')).toBe('precious')
  })
})
