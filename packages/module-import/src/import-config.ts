import { type Static, Type } from 'typebox'

/** The IMPORT entry of MODULES_CONFIG_FILE. */
export const importConfigSchema = Type.Object(
  {
    /** Largest file accepted by the upload (bytes); 5 GiB by default. */
    maxUploadBytes: Type.Integer({ minimum: 1024, default: 5 * 1024 ** 3 }),
    /** Run the check/finalize jobs in this process (false: an API instance that never claims jobs). */
    runJobs: Type.Boolean({ default: true }),
    /** Jobs run at the same time by this process. */
    jobConcurrency: Type.Integer({ minimum: 1, maximum: 16, default: 1 }),
    /** How often an idle runner looks for queued or abandoned jobs (a new job also wakes it at once). */
    jobPollMs: Type.Integer({ minimum: 50, default: 2000 }),
    /** How often a running job's heartbeat is written. */
    jobHeartbeatMs: Type.Integer({ minimum: 50, default: 5000 }),
    /** A job whose heartbeat is older than this is taken as dead and restarted by any runner. */
    jobStaleMs: Type.Integer({ minimum: 200, default: 60_000 }),
    /** Claims of the same job (restarts included) before it is given up as failed. */
    jobMaxAttempts: Type.Integer({ minimum: 1, default: 3 }),
    /** Tests only (kill-and-resume): the check job pauses this long at its first progress report after the load step. */
    testPauseCheckMs: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Tests only (kill-and-resume): the finalize job pauses this long inside its transaction, before COMMIT. */
    testPauseFinalizeMs: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
)
export type ImportConfig = Static<typeof importConfigSchema>
