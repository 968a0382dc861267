import type { Queryable } from '../caller.ts'

/** The statuses that stand for a job to run: the check (`checking`) and the finalize (`importing`). */
export const JOB_STATUSES = ['checking', 'importing'] as const
export type JobStatus = (typeof JOB_STATUSES)[number]

export interface ClaimedJob {
  id: number
  status: JobStatus
  attempts: number
  /** The job had been claimed before by a runner that stopped beating: this is a restart. */
  restarted: boolean
}

/**
 * Claims the oldest queued (job_id NULL) or abandoned (heartbeat older than `staleMs`) job, SKIP LOCKED so that
 * runners of several API instances never claim the same one. `jobId` becomes the fencing token of every later write.
 */
export async function claimJob(db: Queryable, jobId: string, staleMs: number): Promise<ClaimedJob | null> {
  const { rows } = await db.query<ClaimedJob>(
    `UPDATE import.imports i
        SET job_id = $1, job_heartbeat_at = now(), job_attempts = i.job_attempts + 1
       FROM (SELECT id, job_id FROM import.imports
              WHERE status IN ('checking', 'importing')
                AND (job_id IS NULL OR job_heartbeat_at IS NULL
                     OR job_heartbeat_at < now() - $2 * interval '1 millisecond')
              ORDER BY updated_at, id LIMIT 1
              FOR UPDATE SKIP LOCKED) c
      WHERE i.id = c.id
     RETURNING i.id, i.status, i.job_attempts AS attempts, (c.job_id IS NOT NULL) AS restarted`,
    [jobId, staleMs],
  )
  return rows[0] ?? null
}

/** Heartbeat of the running jobs; returns the job ids still owned (a missing one was taken over or removed). */
export async function beat(db: Queryable, jobIds: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ job_id: string }>(
    `UPDATE import.imports SET job_heartbeat_at = now() WHERE job_id = ANY($1::text[]) RETURNING job_id`,
    [jobIds],
  )
  return new Set(rows.map((r) => r.job_id))
}

/** Progress of a running job (also a heartbeat); false when the job is no longer this runner's. */
export async function writeProgress(
  db: Queryable,
  id: number,
  jobId: string,
  step: string,
  progress: number,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE import.imports SET step = $3, progress = $4, job_heartbeat_at = now(), updated_at = now()
      WHERE id = $1 AND job_id = $2`,
    [id, jobId, step, Math.min(1, Math.max(0, progress))],
  )
  return rowCount === 1
}

/** Puts a job back in the queue (graceful shutdown): another runner claims it at once, the attempt is not counted. */
export async function releaseJob(db: Queryable, id: number, jobId: string): Promise<void> {
  await db.query(
    `UPDATE import.imports SET job_id = NULL, job_heartbeat_at = NULL, job_attempts = greatest(job_attempts - 1, 0)
      WHERE id = $1 AND job_id = $2`,
    [id, jobId],
  )
}

export interface JobFailure {
  step: 'check' | 'finalize'
  code: string
  message: string
}

/**
 * Ends a job that failed: a check → `failed`; a finalize → back to `checked` (its checks still hold, nothing was
 * written). The failure is kept on the import for the UI.
 */
export async function failJob(db: Queryable, id: number, jobId: string, failure: JobFailure): Promise<void> {
  await db.query(
    `UPDATE import.imports
        SET status = CASE WHEN status = 'importing' THEN 'checked' ELSE 'failed' END,
            failure = $3, step = NULL, progress = 0, job_id = NULL, job_heartbeat_at = NULL, job_attempts = 0,
            finalize_after_check = false, updated_at = now()
      WHERE id = $1 AND job_id = $2`,
    [id, jobId, JSON.stringify(failure)],
  )
}

/** Puts every claimed job back in the queue (embedded mode at boot: no other process can be running them). */
export async function releaseAllJobs(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE import.imports SET job_id = NULL, job_heartbeat_at = NULL
      WHERE status IN ('checking', 'importing') AND job_id IS NOT NULL`,
  )
  return rowCount ?? 0
}
