import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '../http/error-schema.ts'
import { createRule, deleteRule, getRule, listRules, updateRule } from './sensitivity-rules.ts'
import {
  RuleBody,
  RuleChange,
  RuleDeleted,
  RuleIdParams,
  RulePage,
  RuleQuery,
  RuleSchema,
} from './sensitivity-schemas.ts'

const tags = ['sensitivity']
/** The referential is the administrators' (core ADMIN pseudo-module): R to read it, C/U/D to change it. */
const admin = (permission: 'C' | 'R' | 'U' | 'D') => ({ module: 'ADMIN', permission }) as const

/**
 * `/api/sensitivity/rules`: the sensitivity referential (ADR 15). A change answers with the number of observations
 * whose level it changed (recomputed in the same transaction). Unknown taxon, area or criterion and a bad period are
 * 400 with UNKNOWN_TAXON, UNKNOWN_AREA, UNKNOWN_NOMENCLATURE, INVALID_PERIOD naming the fields in `details`.
 */
export const sensitivityRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { pool } = fastify.db

  fastify.get(
    '/rules',
    {
      config: admin('R'),
      schema: {
        tags,
        summary: 'Sensitivity rules, by taxon name (cdNom: rules on that taxon or below it)',
        querystring: RuleQuery,
        response: { 200: RulePage, ...errorResponses },
      },
    },
    async (request) => listRules(pool, request.query),
  )

  fastify.get(
    '/rules/:id',
    {
      config: admin('R'),
      schema: {
        tags,
        summary: 'One sensitivity rule with its areas and criteria',
        params: RuleIdParams,
        response: { 200: RuleSchema, ...errorResponses },
      },
    },
    async (request) => getRule(pool, request.params.id),
  )

  fastify.post(
    '/rules',
    {
      config: admin('C'),
      schema: {
        tags,
        summary: 'Create a rule; the observations it covers are recomputed',
        body: RuleBody,
        response: { 201: RuleChange, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await createRule(pool, request.body)),
  )

  fastify.put(
    '/rules/:id',
    {
      config: admin('U'),
      schema: {
        tags,
        summary:
          'Replace a rule (areas and criteria included); the observations of its old and new taxon are recomputed',
        params: RuleIdParams,
        body: RuleBody,
        response: { 200: RuleChange, ...errorResponses },
      },
    },
    async (request) => updateRule(pool, request.params.id, request.body),
  )

  fastify.delete(
    '/rules/:id',
    {
      config: admin('D'),
      schema: {
        tags,
        summary: 'Delete a rule; the observations it covered are recomputed',
        params: RuleIdParams,
        response: { 200: RuleDeleted, ...errorResponses },
      },
    },
    async (request) => deleteRule(pool, request.params.id),
  )
}
