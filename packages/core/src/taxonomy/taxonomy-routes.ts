import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { notFound } from '../http/app-error.ts'
import { errorResponses } from '../http/error-schema.ts'
import {
  createTaxonList,
  deleteTaxonList,
  getTaxonList,
  importTaxonListItems,
  listTaxonLists,
  parseCdNomCsv,
  updateTaxonList,
} from './taxon-lists.ts'
import { searchTaxa } from './taxon-search.ts'
import {
  CdNomParams,
  ListIdParams,
  TaxonDetail,
  TaxonHit,
  TaxonListCreate,
  TaxonListImportBody,
  TaxonListImportQuery,
  TaxonListImportResult,
  TaxonListSchema,
  TaxonListUpdate,
  TaxonSearchQuery,
  TaxonSummary,
  taxonomyTags as tags,
} from './taxonomy-schemas.ts'
import { getChildren, getTaxon, TAXON_SUMMARY_COLUMNS } from './taxonomy-service.ts'

const listPermission = (permission: 'C' | 'U' | 'D') => ({ module: 'ADMIN', permission }) as const

/** TAXREF taxonomy: taxa, autocomplete, hierarchy (any logged-in user), taxon lists (written by ADMIN). */
export const taxonomyRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { pool } = fastify.db

  // Taxon list imports may be sent as CSV (this scope only).
  fastify.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  )

  fastify.get(
    '/taxa',
    {
      schema: {
        tags,
        summary: 'Autocomplete on scientific and vernacular names (valid names first)',
        querystring: TaxonSearchQuery,
        response: { 200: Type.Array(TaxonHit), ...errorResponses },
      },
    },
    async (request) => searchTaxa(pool, request.query),
  )

  fastify.get(
    '/taxa/:cdNom',
    {
      schema: {
        tags,
        summary: 'One taxon with its parent chain',
        params: CdNomParams,
        response: { 200: TaxonDetail, ...errorResponses },
      },
    },
    async (request) => {
      const taxon = await getTaxon(pool, request.params.cdNom)
      if (!taxon) throw notFound('TAXON_NOT_FOUND', `No taxon with cd_nom ${request.params.cdNom}`)
      return taxon
    },
  )

  fastify.get(
    '/taxa/:cdNom/children',
    {
      schema: {
        tags,
        summary: 'The valid taxa directly below a taxon (parent chain)',
        params: CdNomParams,
        response: { 200: Type.Array(TaxonSummary), ...errorResponses },
      },
    },
    async (request) => {
      const { rowCount } = await pool.query('SELECT 1 FROM taxonomie.taxref WHERE cd_nom = $1', [
        request.params.cdNom,
      ])
      if (!rowCount) throw notFound('TAXON_NOT_FOUND', `No taxon with cd_nom ${request.params.cdNom}`)
      return getChildren(pool, request.params.cdNom)
    },
  )

  fastify.get(
    '/lists',
    {
      schema: {
        tags,
        summary: 'Taxon lists',
        response: { 200: Type.Array(TaxonListSchema), ...errorResponses },
      },
    },
    async () => listTaxonLists(pool),
  )

  fastify.get(
    '/lists/:id',
    {
      schema: {
        tags,
        summary: 'One taxon list',
        params: ListIdParams,
        response: { 200: TaxonListSchema, ...errorResponses },
      },
    },
    async (request) => getTaxonList(pool, request.params.id),
  )

  fastify.get(
    '/lists/:id/taxa',
    {
      schema: {
        tags,
        summary: 'The taxa of a taxon list',
        params: ListIdParams,
        response: { 200: Type.Array(TaxonSummary), ...errorResponses },
      },
    },
    async (request) => {
      await getTaxonList(pool, request.params.id)
      const { rows } = await pool.query(
        `SELECT ${TAXON_SUMMARY_COLUMNS} FROM taxonomie.taxon_list_items i JOIN taxonomie.taxref t USING (cd_nom)
          WHERE i.list_id = $1 ORDER BY t.lb_nom`,
        [request.params.id],
      )
      return rows
    },
  )

  fastify.post(
    '/lists',
    {
      config: listPermission('C'),
      schema: {
        tags,
        summary: 'Create a taxon list',
        body: TaxonListCreate,
        response: { 201: TaxonListSchema, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await createTaxonList(pool, request.body)),
  )

  fastify.put(
    '/lists/:id',
    {
      config: listPermission('U'),
      schema: {
        tags,
        summary: 'Update a taxon list (cdNoms replaces its taxa)',
        params: ListIdParams,
        body: TaxonListUpdate,
        response: { 200: TaxonListSchema, ...errorResponses },
      },
    },
    async (request) => updateTaxonList(pool, request.params.id, request.body),
  )

  fastify.delete(
    '/lists/:id',
    {
      config: listPermission('D'),
      schema: {
        tags,
        summary: 'Delete a taxon list (409 while a dataset uses it)',
        params: ListIdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deleteTaxonList(pool, request.params.id)
      return reply.status(204).send(null)
    },
  )

  fastify.post(
    '/lists/:id/import',
    {
      config: listPermission('U'),
      schema: {
        tags,
        summary: 'Add taxa to a list from a CSV of cd_nom (text/csv) or JSON { cdNoms }',
        description:
          'Unknown cd_nom: 400 UNKNOWN_CD_NOM listing them, nothing written. mode=replace replaces the list’s taxa.',
        params: ListIdParams,
        querystring: TaxonListImportQuery,
        body: TaxonListImportBody,
        response: { 200: TaxonListImportResult, ...errorResponses },
      },
    },
    async (request) => {
      const body = request.body
      const cdNoms = typeof body === 'string' ? parseCdNomCsv(body) : body.cdNoms
      return importTaxonListItems(pool, request.params.id, cdNoms, request.query.mode)
    },
  )
}
