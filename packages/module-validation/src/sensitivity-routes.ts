import {
  errorResponses,
  forbidden,
  type ModuleRoutes,
  overrideSensitivity,
  withTransaction,
} from '@biodiv/core'
import { Type } from 'typebox'
import { validationWhere } from './validation-queries.ts'
import { HistoryParams } from './validation-schemas.ts'
import { validatorOf } from './validator.ts'

const SensitivityBody = Type.Object(
  {
    level: Type.Union([Type.Integer({ minimum: 0, maximum: 4 }), Type.Null()], {
      description: 'SINP sensitivity level 0–4 given by the expert, or null to go back to the rules',
    }),
    comment: Type.String({ minLength: 1, maxLength: 2000, description: 'Why (kept in the history)' }),
  },
  { additionalProperties: false },
)

const SensitivityResult = Type.Object({
  uniqueIdSinp: Type.String(),
  level: Type.Integer(),
  manual: Type.Boolean(),
  computedLevel: Type.Integer({ description: 'What the rules alone give' }),
})

/** A validator's override of an observation's sensitivity level (within what they may validate). */
export const sensitivityRoutes: ModuleRoutes = async (fastify) => {
  const { pool } = fastify.db
  fastify.put(
    '/observations/:uuid/sensitivity',
    {
      config: { permission: 'V' },
      schema: {
        summary: "Set an observation's sensitivity level by expertise (or back to the rules), with a comment",
        params: HistoryParams,
        body: SensitivityBody,
        response: { 200: SensitivityResult, ...errorResponses },
      },
    },
    async (request) => {
      const validator = validatorOf(request)
      const { from, where, params, p } = await validationWhere(pool, validator, {})
      const { rows } = await pool.query(
        `SELECT 1 FROM ${from} s WHERE ${where.join(' AND ')} AND s.unique_id_sinp = ${p(request.params.uuid)}::uuid`,
        params,
      )
      if (!rows[0])
        throw forbidden('NOT_VALIDATOR', 'You may not validate this observation (or it does not exist)', {
          uuid: request.params.uuid,
        })
      return withTransaction(pool, (client) =>
        overrideSensitivity(client, {
          uniqueIdSinp: request.params.uuid,
          level: request.body.level,
          comment: request.body.comment,
          userId: validator.userId,
        }),
      )
    },
  )
}
