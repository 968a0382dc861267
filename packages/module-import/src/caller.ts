import type { Scope } from '@biodiv/core'
import type { FastifyRequest } from 'fastify'

/** Who is asking, with the scope of the route's action (1 mine, 2 my organism's, 3 all). */
export interface Caller {
  userId: number
  organismId: number | null
  scope: Scope
}

export const callerOf = (request: FastifyRequest): Caller => ({
  userId: request.user!.id,
  organismId: request.user!.organismId,
  scope: request.scope!,
})

// Every scoped query binds $1 = user id, $2 = organism id, $3 = scope.
export const callerParams = (c: Caller) => [c.userId, c.organismId, c.scope]

export interface Queryable {
  query<R extends object = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>
}
