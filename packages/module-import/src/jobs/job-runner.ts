import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Database } from '@biodiv/core'
import {
  beat,
  type ClaimedJob,
  claimJob,
  failJob,
  type JobFailure,
  type JobStatus,
  releaseJob,
  writeProgress,
} from './job-queries.ts'

/** What a job handler gets: its import, its fencing token, a cancel signal and a progress callback. */
export interface JobContext {
  importId: number
  jobId: string
  /** Aborted when the runner stops (the job is put back in the queue) or loses the job to another runner. */
  signal: AbortSignal
  /**
   * Records progress. Never waits for the database (it resolves at once; the latest value is written in the
   * background): a handler holding the pool's only connection (embedded mode) can call it without deadlocking.
   */
  report(step: string, progress: number): Promise<void>
  /** Waits until the reported progress is written (call it while holding no connection). */
  flush(): Promise<void>
}

export type JobHandler = (context: JobContext) => Promise<void>

export interface JobRunnerOptions {
  pool: Database['pool']
  /** One handler per job status: `checking` runs the check, `importing` the finalize. */
  handlers: Record<JobStatus, JobHandler>
  concurrency: number
  pollMs: number
  heartbeatMs: number
  staleMs: number
  maxAttempts: number
  log: { info(msg: string): void; warn(msg: string): void; error(obj: unknown, msg: string): void }
}

export interface JobRunner {
  start(): void
  /** Looks for a job now (after a route queued one). */
  wake(): void
  /** Stops claiming, cancels the running jobs and puts them back in the queue for another runner. */
  stop(): Promise<void>
  /** Ids of the imports whose job runs here. */
  running(): number[]
}

class LostJobError extends Error {}
class StoppedError extends Error {}

const STOP_GRACE_MS = 5000

interface Running {
  job: ClaimedJob
  jobId: string
  controller: AbortController
  done: Promise<void>
}

/** Converts anything thrown by a job into the failure stored on the import. */
function failureOf(status: JobStatus, error: unknown): JobFailure {
  const e = error as { code?: unknown; message?: unknown; statusCode?: unknown }
  const appCode = typeof e.statusCode === 'number' && typeof e.code === 'string' ? e.code : null
  return {
    step: status === 'checking' ? 'check' : 'finalize',
    code: appCode ?? 'JOB_FAILED',
    message: String(e.message ?? error),
  }
}

/**
 * A job runner on PostgreSQL: the queue is the import rows themselves (see job-queries.ts and ADR 13). Every API
 * instance may run one; a job killed with its process is restarted by whichever runner notices its stale heartbeat.
 */
export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { pool, log } = options
  const instance = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  const jobs = new Map<string, Running>()
  let started = false
  let stopping = false
  let claiming = false
  let again = false
  let pollTimer: NodeJS.Timeout | undefined
  let beatTimer: NodeJS.Timeout | undefined

  const lose = (ids: Iterable<string>) => {
    for (const id of ids) jobs.get(id)?.controller.abort(new LostJobError(`job ${id} was taken over`))
  }

  function run(job: ClaimedJob, jobId: string): Running {
    const controller = new AbortController()
    let latest: { step: string; progress: number } | null = null
    let writing: Promise<void> | null = null
    const write = async () => {
      while (latest) {
        const { step, progress } = latest
        latest = null
        const owned = await writeProgress(pool, job.id, jobId, step, progress).catch(() => true)
        if (!owned) lose([jobId])
      }
      writing = null
    }
    const context: JobContext = {
      importId: job.id,
      jobId,
      signal: controller.signal,
      report: (step, progress) => {
        latest = { step, progress }
        writing ??= write()
        return Promise.resolve()
      },
      flush: async () => {
        while (writing) await writing
      },
    }
    const handler = options.handlers[job.status]
    const done = (async () => {
      try {
        await handler(context)
      } catch (error) {
        const reason = controller.signal.reason
        if (reason instanceof StoppedError) {
          await context.flush()
          await releaseJob(pool, job.id, jobId).catch(() => undefined)
          log.info(`import ${job.id}: job put back in the queue (shutdown)`)
        } else if (reason instanceof LostJobError || error instanceof LostJobError) {
          log.warn(`import ${job.id}: job ${jobId} was taken over by another runner; its result is dropped`)
        } else {
          log.error(error, `import ${job.id}: ${job.status === 'checking' ? 'check' : 'finalize'} failed`)
          await context.flush()
          await failJob(pool, job.id, jobId, failureOf(job.status, error)).catch((e) =>
            log.error(e, `import ${job.id}: could not record the failure`),
          )
        }
      } finally {
        jobs.delete(jobId)
        if (!stopping) claimNext()
      }
    })()
    return { job, jobId, controller, done }
  }

  async function claimLoop() {
    while (!stopping && jobs.size < options.concurrency) {
      const jobId = `${instance}:${randomUUID()}`
      const job = await claimJob(pool, jobId, options.staleMs)
      if (!job) return
      if (job.attempts > options.maxAttempts) {
        await failJob(pool, job.id, jobId, {
          step: job.status === 'checking' ? 'check' : 'finalize',
          code: 'JOB_ABANDONED',
          message: `The job stopped ${job.attempts - 1} times without finishing (process killed or out of memory?)`,
        })
        log.warn(`import ${job.id}: job given up after ${job.attempts - 1} attempts`)
        continue
      }
      if (job.restarted)
        log.warn(`import ${job.id}: restarting an abandoned ${job.status} job (attempt ${job.attempts})`)
      jobs.set(jobId, run(job, jobId))
    }
  }

  function claimNext() {
    if (!started || stopping) return
    if (claiming) {
      again = true
      return
    }
    claiming = true
    void claimLoop()
      .catch((error) => log.error(error, 'import jobs: claim failed'))
      .finally(() => {
        claiming = false
        if (again) {
          again = false
          claimNext()
        }
      })
  }

  async function heartbeat() {
    if (jobs.size === 0) return
    const ids = [...jobs.keys()]
    const owned = await beat(pool, ids)
    lose(ids.filter((id) => !owned.has(id)))
  }

  return {
    start() {
      if (started) return
      started = true
      pollTimer = setInterval(claimNext, options.pollMs)
      beatTimer = setInterval(
        () => void heartbeat().catch((error) => log.error(error, 'import jobs: heartbeat failed')),
        options.heartbeatMs,
      )
      pollTimer.unref()
      beatTimer.unref()
      claimNext()
    },
    wake: claimNext,
    running: () => [...jobs.values()].map((r) => r.job.id),
    async stop() {
      stopping = true
      clearInterval(pollTimer)
      clearInterval(beatTimer)
      const running = [...jobs.values()]
      for (const r of running) r.controller.abort(new StoppedError('the runner stops'))
      // A handler inside a long SQL statement only sees the signal when it returns: wait a little, then leave the
      // rest to the heartbeat timeout of the next runner.
      await Promise.race([
        Promise.allSettled(running.map((r) => r.done)),
        new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref()),
      ])
    },
  }
}

export { LostJobError }
