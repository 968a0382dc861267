/**
 * The OpenLayers API module UIs may use. Modules never import `ol/*` themselves (their build fails if they do):
 * a second OpenLayers copy would not work with the shell's map.
 */

export { default as Collection } from 'ol/Collection.js'
export type { Coordinate } from 'ol/coordinate.js'
export type { Extent } from 'ol/extent.js'
export { boundingExtent, getCenter } from 'ol/extent.js'
export type { FeatureLike } from 'ol/Feature.js'
export { default as Feature } from 'ol/Feature.js'
export { default as GeoJSON } from 'ol/format/GeoJSON.js'
export { default as LineString } from 'ol/geom/LineString.js'
export { default as MultiPolygon } from 'ol/geom/MultiPolygon.js'
export { default as Point } from 'ol/geom/Point.js'
export { default as Polygon } from 'ol/geom/Polygon.js'
export { default as Draw } from 'ol/interaction/Draw.js'
export { default as Modify } from 'ol/interaction/Modify.js'
export { default as Select } from 'ol/interaction/Select.js'
export { default as Snap } from 'ol/interaction/Snap.js'
export { default as TileLayer } from 'ol/layer/Tile.js'
export { default as VectorLayer } from 'ol/layer/Vector.js'
export type { default as OlMap } from 'ol/Map.js'
export type { default as MapBrowserEvent } from 'ol/MapBrowserEvent.js'
export { default as Overlay } from 'ol/Overlay.js'
export { fromLonLat, toLonLat, transformExtent } from 'ol/proj.js'
export { default as VectorSource } from 'ol/source/Vector.js'
export { default as XYZ } from 'ol/source/XYZ.js'
export { Circle as CircleStyle, Fill, Icon, RegularShape, Stroke, Style, Text } from 'ol/style.js'
