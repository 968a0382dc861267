import type { Database } from '@biodiv/core'
import { createTestApp, type TestApp } from '@biodiv/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createJobRunner, type JobHandler, type JobRunner } from '../src/jobs/job-runner.ts'
import { insertImport, moduleConfigFile, waitFor } from './jobs-helpers.ts'

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined }

describe('import job runner (queue in import.imports, heartbeat, restart of abandoned jobs)', () => {
  let t: TestApp
  let pool: Database['pool']
  const runners: JobRunner[] = []

  beforeAll(async () => {
    // The module's own runner stays off: each test runs its runners with its own handlers.
    t = await createTestApp({ env: { MODULES_CONFIG_FILE: await moduleConfigFile({ runJobs: false }) } })
    pool = t.app.db.pool
  })
  afterAll(async () => {
    await Promise.all(runners.map((r) => r.stop()))
    await t?.close()
  })

  const runner = (
    handlers: { checking?: JobHandler; importing?: JobHandler },
    over: Partial<Parameters<typeof createJobRunner>[0]> = {},
  ) => {
    const r = createJobRunner({
      pool,
      handlers: { checking: async () => undefined, importing: async () => undefined, ...handlers },
      concurrency: 1,
      pollMs: 50,
      heartbeatMs: 100,
      staleMs: 60_000,
      maxAttempts: 3,
      log: silent,
      ...over,
    })
    runners.push(r)
    r.start()
    return r
  }
  const state = async (id: number) =>
    (
      await pool.query(
        `SELECT status, step, progress, job_id, job_heartbeat_at, job_attempts, failure
           FROM import.imports WHERE id = $1`,
        [id],
      )
    ).rows[0]
  const clear = () =>
    pool.query(`UPDATE import.imports SET status = 'failed' WHERE status IN ('checking', 'importing')`)

  it('two runners share the queue: every job runs exactly once', async () => {
    const ids = await Promise.all(Array.from({ length: 6 }, () => insertImport(pool, 'admin', 'checking')))
    const ran: number[] = []
    const handler: JobHandler = async ({ importId, jobId }) => {
      ran.push(importId)
      await new Promise((r) => setTimeout(r, 30))
      await pool.query(
        `UPDATE import.imports SET status = 'checked', job_id = NULL WHERE id = $1 AND job_id = $2`,
        [importId, jobId],
      )
    }
    const a = runner({ checking: handler })
    const b = runner({ checking: handler })
    await waitFor(async () => (ran.length >= ids.length ? true : undefined))
    await new Promise((r) => setTimeout(r, 200))
    expect([...ran].sort()).toEqual([...ids].sort())
    await Promise.all([a.stop(), b.stop()])
  })

  it('restarts a job whose heartbeat is stale (its process died), counting the attempt', async () => {
    await clear()
    const id = await insertImport(pool, 'admin', 'importing')
    await pool.query(
      `UPDATE import.imports SET job_id = 'dead-host:1:x', job_heartbeat_at = now() - interval '2 minutes',
              job_attempts = 1 WHERE id = $1`,
      [id],
    )
    const seen: string[] = []
    const r = runner({
      importing: async ({ jobId }) => {
        seen.push(jobId)
      },
    })
    await waitFor(async () => (seen.length ? true : undefined))
    expect(seen[0]).not.toBe('dead-host:1:x')
    expect((await state(id)).job_attempts).toBe(2)
    await r.stop()
  })

  it('leaves alone a job whose heartbeat is fresh (another instance runs it)', async () => {
    await clear()
    const id = await insertImport(pool, 'admin', 'checking')
    await pool.query(
      `UPDATE import.imports SET job_id = 'other:1:x', job_heartbeat_at = now() WHERE id = $1`,
      [id],
    )
    const seen: number[] = []
    const r = runner({ checking: async ({ importId }) => void seen.push(importId) })
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(seen).toEqual([])
    expect((await state(id)).job_id).toBe('other:1:x')
    await r.stop()
  })

  it('gives up a job that keeps dying: failed with JOB_ABANDONED after maxAttempts', async () => {
    await clear()
    const id = await insertImport(pool, 'admin', 'checking')
    await pool.query(
      `UPDATE import.imports SET job_id = 'dead:1:x', job_heartbeat_at = now() - interval '1 hour', job_attempts = 3
        WHERE id = $1`,
      [id],
    )
    const r = runner({ checking: async () => expect.unreachable('must not run') })
    const s = await waitFor(async () => {
      const row = await state(id)
      return row.status === 'failed' ? row : undefined
    })
    expect(s.failure).toMatchObject({ step: 'check', code: 'JOB_ABANDONED' })
    expect(s.job_id).toBeNull()
    await r.stop()
  })

  it('a failing check ends failed, a failing finalize goes back to checked; both keep the reason', async () => {
    await clear()
    const check = await insertImport(pool, 'admin', 'checking')
    const finalize = await insertImport(pool, 'admin', 'importing')
    const r = runner({
      checking: async () => {
        throw new Error('file unreadable')
      },
      importing: async () => {
        throw Object.assign(new Error('nope'), { statusCode: 409, code: 'SOMETHING' })
      },
    })
    await waitFor(async () => ((await state(finalize)).status === 'checked' ? true : undefined))
    await waitFor(async () => ((await state(check)).status === 'failed' ? true : undefined))
    expect((await state(check)).failure).toEqual({
      step: 'check',
      code: 'JOB_FAILED',
      message: 'file unreadable',
    })
    expect((await state(finalize)).failure).toEqual({ step: 'finalize', code: 'SOMETHING', message: 'nope' })
    await r.stop()
  })

  it('stop() cancels a running job and puts it back in the queue for the next runner', async () => {
    await clear()
    const id = await insertImport(pool, 'admin', 'checking')
    let started = false
    const r = runner({
      checking: async ({ signal }) => {
        started = true
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
      },
    })
    await waitFor(async () => (started ? true : undefined))
    expect((await state(id)).job_id).not.toBeNull()
    await r.stop()
    expect(await state(id)).toMatchObject({ status: 'checking', job_id: null, job_attempts: 0 })
  })

  it('beats while a job runs; a job taken over by another runner is cancelled and writes nothing', async () => {
    await clear()
    const id = await insertImport(pool, 'admin', 'checking')
    let signal: AbortSignal | undefined
    const r = runner({
      checking: async (context) => {
        signal = context.signal
        await new Promise((_, reject) =>
          context.signal.addEventListener('abort', () => reject(context.signal.reason)),
        )
      },
    })
    await waitFor(async () => (signal ? true : undefined))
    const first = (await state(id)).job_heartbeat_at as Date
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(((await state(id)).job_heartbeat_at as Date).getTime()).toBeGreaterThan(first.getTime())
    await pool.query(`UPDATE import.imports SET job_id = 'thief' WHERE id = $1`, [id])
    await waitFor(async () => (signal!.aborted ? true : undefined))
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await state(id)).toMatchObject({ status: 'checking', job_id: 'thief', failure: null })
    await r.stop()
  })

  it('with a pool of ONE connection (embedded mode), a job holding it can report progress without deadlock', async () => {
    await clear()
    // A pg.Pool like the app's (the module has no pg typings of its own), of one connection.
    const Pool = pool.constructor as new (options: object) => Database['pool']
    const single = { pool: new Pool({ connectionString: t.databaseUrl, max: 1 }) }
    try {
      const id = await insertImport(pool, 'admin', 'checking')
      let done = false
      const r = createJobRunner({
        pool: single.pool,
        handlers: {
          checking: async ({ importId, jobId, report, flush }) => {
            const client = await single.pool.connect()
            try {
              await client.query('BEGIN')
              await report('load', 0.5)
              await client.query('SELECT pg_sleep(0.2)')
              await report('check', 0.9)
              await client.query('COMMIT')
            } finally {
              client.release()
            }
            await flush()
            await single.pool.query(
              `UPDATE import.imports SET status = 'checked' WHERE id = $1 AND job_id = $2`,
              [importId, jobId],
            )
            done = true
          },
          importing: async () => undefined,
        },
        concurrency: 1,
        pollMs: 50,
        heartbeatMs: 50,
        staleMs: 60_000,
        maxAttempts: 3,
        log: silent,
      })
      r.start()
      await waitFor(async () => (done ? true : undefined), 10_000, 'the job on one connection')
      expect(await state(id)).toMatchObject({ status: 'checked', step: 'check' })
      expect((await state(id)).progress).toBeCloseTo(0.9)
      await r.stop()
    } finally {
      await single.pool.end()
    }
  })
})
