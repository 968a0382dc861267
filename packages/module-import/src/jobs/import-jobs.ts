import { setTimeout as sleep } from 'node:timers/promises'
import type { Database } from '@biodiv/core'
import type { FastifyInstance } from 'fastify'
import { type CheckCounts, checkImport } from '../check/check-import.ts'
import { finalizeImport } from '../finalize/finalize-import.ts'
import type { ImportConfig } from '../import-config.ts'
import { releaseAllJobs } from './job-queries.ts'
import { createJobRunner, type JobContext, type JobRunner, LostJobError } from './job-runner.ts'

/** The check step's signature (src/check/check-import.ts): loads the file into the staging table and checks it. */
export type CheckImport = (
  pool: Database['pool'],
  importId: number,
  report: (step: string, progress: number) => Promise<void>,
  signal?: AbortSignal,
) => Promise<CheckCounts>

/** The check job: runs the checks, stores the counts; → `checked` (or `importing` when a finalize waits for it). */
export async function runCheckJob(
  pool: Database['pool'],
  context: JobContext,
  checkImport: CheckImport,
  pauseMs?: number,
): Promise<void> {
  const { importId, jobId, signal } = context
  let paused = !pauseMs
  const report = async (step: string, progress: number) => {
    await context.report(step, progress)
    if (!paused && step !== 'load') {
      paused = true
      await sleep(pauseMs!, undefined, { signal })
    }
  }
  const counts = await checkImport(pool, importId, report, signal)
  signal.throwIfAborted()
  await context.flush()
  const { rowCount } = await pool.query(
    `UPDATE import.imports
        SET status = CASE WHEN finalize_after_check THEN 'importing' ELSE 'checked' END,
            finalize_after_check = false, row_count = $3, valid_count = $4, error_count = $5, warning_count = $6,
            checked_at = now(), step = NULL, progress = CASE WHEN finalize_after_check THEN 0 ELSE 1 END,
            failure = NULL, job_id = NULL, job_heartbeat_at = NULL, job_attempts = 0, updated_at = now()
      WHERE id = $1 AND job_id = $2`,
    [importId, jobId, counts.rows, counts.valid, counts.errors, counts.warnings],
  )
  if (rowCount !== 1) throw new LostJobError(`import ${importId} is no longer this job's`)
}

/**
 * The module's job runner, started when the app is ready and stopped when it closes (running jobs go back to the
 * queue). In embedded mode (one database connection) it warns: a job's long statements make API requests wait.
 */
export function importJobRunner(fastify: FastifyInstance, config: ImportConfig): JobRunner {
  const { pool } = fastify.db
  const log = fastify.log
  const uploadDir = fastify.config.UPLOAD_DIR
  const runner = createJobRunner({
    pool,
    concurrency: config.jobConcurrency,
    pollMs: config.jobPollMs,
    heartbeatMs: config.jobHeartbeatMs,
    staleMs: config.jobStaleMs,
    maxAttempts: config.jobMaxAttempts,
    log: {
      info: (msg) => log.info(msg),
      warn: (msg) => log.warn(msg),
      error: (error, msg) => log.error({ err: error }, msg),
    },
    handlers: {
      checking: async (context) =>
        runCheckJob(
          pool,
          context,
          (db, id, report, signal) => checkImport(db, id, report, signal, { uploadDir }),
          config.testPauseCheckMs,
        ),
      importing: async (context) => {
        await finalizeImport(pool, context.importId, context.jobId, {
          pauseMs: config.testPauseFinalizeMs,
          signal: context.signal,
          report: context.report,
        })
      },
    },
  })
  if (config.runJobs) {
    fastify.addHook('onReady', async () => {
      if (fastify.config.embedded) {
        // The data directory admits one process: claimed jobs are the previous run's, restart them now.
        const released = await releaseAllJobs(pool)
        if (released) log.warn(`Import jobs: ${released} job(s) of the previous run restarted`)
        log.warn(
          'Import jobs run on the embedded database’s single connection: while a check or finalize runs a long ' +
            'statement, API requests wait for it (use PostgreSQL for large imports; see docs/adr/0013-import-jobs.md)',
        )
      }
      runner.start()
    })
    fastify.addHook('onClose', async () => runner.stop())
  }
  return runner
}
