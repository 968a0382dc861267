import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * A list page as is, or as a GeoJSON FeatureCollection (each item's geometry and id out of its properties) when
 * asked by `format=geojson`, or without `format` by `Accept: application/geo+json`.
 */
export function pageOrFeatureCollection<T extends { id: number; geometry: unknown }>(
  request: FastifyRequest,
  reply: FastifyReply,
  format: string | undefined,
  page: { items: T[]; nextCursor: string | null },
) {
  const geojson =
    format === 'geojson' || (!format && request.headers.accept?.includes('application/geo+json'))
  if (!geojson) return page
  const features = page.items.map(({ id, geometry, ...properties }) => ({
    type: 'Feature' as const,
    id,
    geometry,
    properties,
  }))
  return reply
    .type('application/geo+json')
    .send({ type: 'FeatureCollection', features, nextCursor: page.nextCursor })
}
