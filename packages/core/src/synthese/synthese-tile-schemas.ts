import { Type } from 'typebox'
import { ObservationQuery } from './synthese-schemas.ts'
import { TILE_MAX_ZOOM } from './synthese-tiles.ts'

const { format: _format, limit: _limit, cursor: _cursor, ...filterProperties } = ObservationQuery.properties

/** z/x/y of an XYZ tile (y from the top). Out of range (x, y ≥ 2^z) is checked by the route: 400 INVALID_TILE. */
export const TileParams = Type.Object({
  z: Type.Integer({ minimum: 0, maximum: TILE_MAX_ZOOM, description: 'Zoom level' }),
  x: Type.Integer({ minimum: 0, description: 'Column, 0 to 2^z - 1, from the west' }),
  y: Type.Integer({ minimum: 0, description: 'Row, 0 to 2^z - 1, from the north' }),
})

/** The filters of GET /observations, without the paging ones (limit, cursor) and format. */
export const TileQuery = Type.Object(filterProperties, { additionalProperties: false })
