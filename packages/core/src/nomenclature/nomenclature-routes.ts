import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { withTransaction } from '../db/transaction.ts'
import { badRequest, notFound } from '../http/app-error.ts'
import { errorResponses } from '../http/error-schema.ts'
import { defaultNomenclatures, resolveNomenclatureCodes } from './nomenclature-service.ts'

const tags = ['nomenclatures']
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])

const TypeSchema = Type.Object(
  {
    mnemonique: Type.String(),
    label: Type.String(),
    definition: Nullable(Type.String()),
    source: Nullable(Type.String()),
    statut: Nullable(Type.String()),
    valueCount: Type.Integer(),
  },
  { title: 'NomenclatureType' },
)
const ValueSchema = Type.Object(
  {
    code: Type.String({ description: 'SINP cd_nomenclature: what the platform exchanges' }),
    mnemonique: Nullable(Type.String()),
    label: Type.String(),
    definition: Nullable(Type.String()),
    hierarchy: Nullable(Type.String()),
    broaderCode: Nullable(Type.String()),
    active: Type.Boolean(),
  },
  { title: 'NomenclatureValue' },
)
const Usage = Type.Union([Type.Literal('observation'), Type.Literal('metadata')], {
  default: 'observation',
  description: 'defaults for observations or for acquisition frameworks / datasets',
})
const DefaultsSchema = Type.Record(
  Type.String(),
  Type.Object({ code: Type.String(), label: Type.String() }),
  { title: 'NomenclatureDefaults', description: 'type mnemonique → default value' },
)

/** SINP nomenclatures: types, values, taxon applicability, defaults per organism. Any logged-in user reads. */
export const nomenclatureRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { pool } = fastify.db

  fastify.get(
    '/',
    {
      schema: {
        tags,
        summary: 'Nomenclature types',
        response: { 200: Type.Array(TypeSchema), ...errorResponses },
      },
    },
    async () => {
      const { rows } = await pool.query(
        `SELECT t.mnemonique, t.label, t.definition, t.source, t.statut,
                (SELECT count(*)::int FROM ref_nomenclatures.nomenclatures n WHERE n.type_id = t.id) AS "valueCount"
           FROM ref_nomenclatures.types t ORDER BY t.mnemonique`,
      )
      return rows
    },
  )

  fastify.get(
    '/defaults',
    {
      schema: {
        tags,
        summary: 'Default value of each type (an organism’s own defaults override the instance’s)',
        querystring: Type.Object(
          { organism: Type.Optional(Type.Integer({ minimum: 1 })), usage: Type.Optional(Usage) },
          { additionalProperties: false },
        ),
        response: { 200: DefaultsSchema, ...errorResponses },
      },
    },
    async (request) =>
      defaultNomenclatures(pool, request.query.organism ?? null, request.query.usage ?? 'observation'),
  )

  fastify.put(
    '/defaults',
    {
      config: { module: 'ADMIN', permission: 'U' },
      schema: {
        tags,
        summary: 'Set defaults for an organism (null = the instance); answers the resulting defaults',
        body: Type.Object(
          {
            organism: Nullable(Type.Integer({ minimum: 1 })),
            usage: Type.Optional(Usage),
            defaults: Type.Record(Type.String({ pattern: '^[A-Z0-9_]+$' }), Type.String({ minLength: 1 }), {
              description: 'type mnemonique → code',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: DefaultsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { organism, defaults } = request.body
      const usage = request.body.usage ?? 'observation'
      const entries = Object.entries(defaults)
      await withTransaction(pool, async (client) => {
        if (organism !== null) {
          const found = await client.query('SELECT 1 FROM core.organisms WHERE id = $1', [organism])
          if (!found.rowCount)
            throw badRequest('ORGANISM_NOT_FOUND', `Organism ${organism} does not exist`, { organism })
        }
        const ids = await resolveNomenclatureCodes(
          client,
          entries.map(([type, code]) => ({ type, code, field: `defaults.${type}` })),
        )
        for (const id of ids) {
          await client.query(
            `INSERT INTO ref_nomenclatures.defaults (usage, type_id, organism_id, nomenclature_id)
             SELECT $1, n.type_id, $2, n.id FROM ref_nomenclatures.nomenclatures n WHERE n.id = $3
             ON CONFLICT (usage, type_id, organism_id) DO UPDATE SET nomenclature_id = excluded.nomenclature_id`,
            [usage, organism, id],
          )
        }
      })
      return defaultNomenclatures(pool, organism, usage)
    },
  )

  fastify.get(
    '/:type',
    {
      schema: {
        tags,
        summary: 'Values of a type, optionally only those applicable to a kingdom / INPN group 2',
        params: Type.Object({ type: Type.String({ maxLength: 100 }) }),
        querystring: Type.Object(
          {
            kingdom: Type.Optional(Type.String({ maxLength: 100 })),
            group2Inpn: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(ValueSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { type } = request.params
      const { kingdom, group2Inpn } = request.query
      const found = await pool.query<{ id: number }>(
        'SELECT id FROM ref_nomenclatures.types WHERE mnemonique = $1',
        [type],
      )
      const typeId = found.rows[0]?.id
      if (typeId === undefined)
        throw notFound('NOMENCLATURE_TYPE_NOT_FOUND', `Unknown nomenclature type ${type}`)
      const filtered = kingdom !== undefined || group2Inpn !== undefined
      // A value applies when one of its rows matches (or is 'all'); a type without any row is not taxon-dependent.
      const { rows } = await pool.query(
        `SELECT n.cd_nomenclature AS code, n.mnemonique, n.label_fr AS label, n.definition_fr AS definition,
                n.hierarchy, b.cd_nomenclature AS "broaderCode", n.active
           FROM ref_nomenclatures.nomenclatures n
           LEFT JOIN ref_nomenclatures.nomenclatures b ON b.id = n.broader_id
          WHERE n.type_id = $1
            AND (NOT $2::boolean
                 OR NOT EXISTS (SELECT 1 FROM ref_nomenclatures.taxon_applicability a
                                  JOIN ref_nomenclatures.nomenclatures v ON v.id = a.nomenclature_id
                                 WHERE v.type_id = $1)
                 OR EXISTS (SELECT 1 FROM ref_nomenclatures.taxon_applicability a
                             WHERE a.nomenclature_id = n.id
                               AND (a.regne = 'all' OR $3::text IS NULL OR a.regne = $3)
                               AND (a.group2_inpn = 'all' OR $4::text IS NULL OR a.group2_inpn = $4)))
          ORDER BY n.hierarchy NULLS LAST, n.cd_nomenclature`,
        [typeId, filtered, kingdom ?? null, group2Inpn ?? null],
      )
      return rows
    },
  )
}
