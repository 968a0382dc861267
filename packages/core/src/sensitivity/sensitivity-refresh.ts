import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { refreshSensitivity } from './sensitivity-rules.ts'

/**
 * The periodic sensitivity refresh: every `intervalMinutes` each API instance recomputes the sensitive observations
 * whose rule duration may have expired (`refreshSensitivity({ expired: true })`). It takes the referential's lock
 * with pg_try_advisory_xact_lock: when another instance (or a rule change) holds it, this round is skipped, so one
 * instance works at a time. The timer does not keep the process alive and is cleared on close, which waits for a
 * round in progress (preClose: before the pool closes). 0 disables it.
 */
export const sensitivityRefreshPlugin = fp(
  async (fastify: FastifyInstance, opts: { intervalMinutes: number }) => {
    if (!opts.intervalMinutes) return
    let running: Promise<void> | null = null
    const round = () => {
      if (running) return
      running = refreshSensitivity(fastify.db.pool, { expired: true, skipIfBusy: true })
        .then((result) => {
          if (result.recomputed) {
            fastify.log.info(
              { recomputed: result.recomputed },
              'sensitivity refresh: expired durations recomputed',
            )
          }
        })
        .catch((error: unknown) => fastify.log.error({ err: error }, 'sensitivity refresh failed'))
        .finally(() => {
          running = null
        })
    }
    const timer = setInterval(round, opts.intervalMinutes * 60_000)
    timer.unref()
    fastify.addHook('preClose', async () => {
      clearInterval(timer)
      await running
    })
  },
  { name: 'sensitivity-refresh', dependencies: ['db'] },
)
