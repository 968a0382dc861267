import type { FeatureLike } from 'ol/Feature.js'
import { Circle as CircleStyle, Fill, Stroke, Style, Text } from 'ol/style.js'

/** Grid cell classes by observation count (graduated legend): lower bound, colour. */
export const GRID_CLASSES: readonly { min: number; label: string; color: string }[] = [
  { min: 1, label: '1 – 9', color: '#fde6a8' },
  { min: 10, label: '10 – 99', color: '#f7b15c' },
  { min: 100, label: '100 – 999', color: '#e0603a' },
  { min: 1000, label: '1 000 et plus', color: '#a3202e' },
]

/** Colour of each STATUT_VALID code (0 pending … 6 unknown), and labels until the nomenclature is loaded. */
export const STATUS_COLORS: Readonly<Record<string, string>> = {
  '0': '#7d8b95',
  '1': '#2f9e44',
  '2': '#8bc34a',
  '3': '#f59f00',
  '4': '#d6336c',
  '5': '#845ef7',
  '6': '#adb5bd',
}
export const DEFAULT_STATUS_LABELS: Readonly<Record<string, string>> = {
  '0': 'En attente de validation',
  '1': 'Certain – très probable',
  '2': 'Probable',
  '3': 'Douteux',
  '4': 'Invalide',
  '5': 'Non réalisable',
  '6': 'Inconnu',
}
const UNKNOWN_STATUS_COLOR = '#495057'

export const statusColor = (code: string | null | undefined): string =>
  (code != null && STATUS_COLORS[code]) || UNKNOWN_STATUS_COLOR

/** Index in GRID_CLASSES of a cell's count (-1 for none). */
export function gridClassIndex(count: number): number {
  let index = -1
  for (const [i, c] of GRID_CLASSES.entries()) if (count >= c.min) index = i
  return index
}

/**
 * What ObservationTileLayer reports: tiles loaded / failed, features read (of them `observations`: points, and
 * `blurred`: blurred areas, drawn instead of the points of sensitive observations the user sees blurred), point
 * tiles (else grid) in view. Counts add up from the last change of filters.
 */
export interface ObservationTileState {
  loaded: number
  failed: number
  features: number
  points: boolean
  observations?: number
  blurred?: number
}

/** Colour of the blurred areas (hatched polygons) on the map and in the legend. */
export const BLURRED_COLOR = '#6741d9'

/** Zoom of the tiles from which the API sends points instead of grid cells (tiles-api contract). */
export const POINT_TILE_MIN_ZOOM = 11
/** The same threshold in view zoom: the layer asks 512-pixel tiles, one level below the view's zoom. */
export const POINT_VIEW_MIN_ZOOM = POINT_TILE_MIN_ZOOM + 1
/** Resolution (m/px, EPSG:3857) of that view zoom: above it, grid cells are shown. */
export const POINT_MAX_RESOLUTION = 156543.03392804097 / 2 ** POINT_VIEW_MIN_ZOOM

const hexAlpha = (hex: string, alpha: number) => {
  const n = Number.parseInt(hex.slice(1), 16)
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`
}

const gridStyles = GRID_CLASSES.map(
  (c) =>
    new Style({
      fill: new Fill({ color: hexAlpha(c.color, 0.72) }),
      stroke: new Stroke({ color: hexAlpha(c.color, 0.95), width: 0.6 }),
    }),
)
const pointStyles = new Map<string, Style>()
const pointStyle = (status: string | null | undefined) => {
  const key = status ?? ''
  let style = pointStyles.get(key)
  if (!style) {
    style = new Style({
      image: new CircleStyle({
        radius: 5,
        fill: new Fill({ color: statusColor(status) }),
        stroke: new Stroke({ color: '#fff', width: 1.5 }),
      }),
      // Above the blurred areas of the same tile.
      zIndex: 2,
    })
    pointStyles.set(key, style)
  }
  return style
}

/** Diagonal hatches over a light violet (a plain translucent fill where the canvas has no 2D context). */
function hatchFill(): CanvasPattern | string {
  const plain = hexAlpha(BLURRED_COLOR, 0.22)
  if (typeof document === 'undefined') return plain
  const size = 10
  const canvas = document.createElement('canvas')
  canvas.width = size
  canvas.height = size
  const ctx = canvas.getContext('2d')
  if (!ctx) return plain
  ctx.fillStyle = hexAlpha(BLURRED_COLOR, 0.1)
  ctx.fillRect(0, 0, size, size)
  ctx.strokeStyle = hexAlpha(BLURRED_COLOR, 0.7)
  ctx.lineWidth = 1.6
  ctx.beginPath()
  // One diagonal and the two corners that continue it into the next tile of the pattern.
  for (const [x0, y0, x1, y1] of [
    [0, size, size, 0],
    [-2, 2, 2, -2],
    [size - 2, size + 2, size + 2, size - 2],
  ] as const) {
    ctx.moveTo(x0, y0)
    ctx.lineTo(x1, y1)
  }
  ctx.stroke()
  return ctx.createPattern(canvas, 'repeat') ?? plain
}
let blurredStyle: Style | null = null
/** A blurred area: hatched, with a dashed outline, under the points. */
export function blurredAreaStyle(): Style {
  blurredStyle ??= new Style({
    fill: new Fill({ color: hatchFill() }),
    stroke: new Stroke({ color: hexAlpha(BLURRED_COLOR, 0.95), width: 1.8, lineDash: [6, 4] }),
    zIndex: 0,
  })
  return blurredStyle
}

/** "3 obs. floutées": the label of a blurred area (one per area, see ObservationTileLayer). */
export const blurredCountText = (count: number) => `${count} obs. floutée${count > 1 ? 's' : ''}`
const blurredLabels = new Map<number, Style>()
export function blurredLabelStyle(count: number): Style {
  let style = blurredLabels.get(count)
  if (!style) {
    style = new Style({
      text: new Text({
        text: blurredCountText(count),
        font: '600 12px system-ui, sans-serif',
        fill: new Fill({ color: '#3b2380' }),
        backgroundFill: new Fill({ color: 'rgba(255, 255, 255, 0.92)' }),
        backgroundStroke: new Stroke({ color: BLURRED_COLOR, width: 1 }),
        padding: [2, 5, 1, 5],
        overflow: true,
      }),
    })
    blurredLabels.set(count, style)
  }
  return style
}

/**
 * Style of the synthese vector tiles: `grid` cells by count, `blurred` areas hatched (their label is drawn once per
 * area by ObservationTileLayer, not per tile), `observations` points by validation status.
 */
export function observationTileStyle(feature: FeatureLike): Style | undefined {
  const layer = feature.get('layer')
  if (layer === 'grid') {
    const index = gridClassIndex(Number(feature.get('count') ?? 0))
    return index < 0 ? undefined : gridStyles[index]
  }
  if (layer === 'blurred') return blurredAreaStyle()
  const status = feature.get('status')
  return pointStyle(status == null ? null : String(status))
}

const highlightStroke = new Stroke({ color: '#1c7ed6', width: 3 })
const listStroke = new Stroke({ color: '#1f3a2c', width: 1.5 })
const compactStroke = new Stroke({ color: 'rgba(31, 58, 44, 0.7)', width: 1 })

/**
 * Style of the current page's geometries: points as a ring around the tile's status dot (whose colour stays
 * visible), surfaces outlined; `highlighted` is drawn larger and blue.
 */
export function listFeatureStyle(highlighted: boolean, compact = false): Style[] {
  const stroke = highlighted ? highlightStroke : compact ? compactStroke : listStroke
  return [
    new Style({
      image: new CircleStyle({
        radius: highlighted ? 10 : compact ? 3 : 7,
        // Almost transparent, but a fill: hovering the inside of the ring hits the feature too.
        fill: new Fill({ color: highlighted ? 'rgba(28, 126, 214, 0.25)' : 'rgba(255, 255, 255, 0.01)' }),
        stroke,
      }),
      stroke,
      fill: new Fill({ color: highlighted ? 'rgba(28, 126, 214, 0.2)' : 'rgba(31, 58, 44, 0.06)' }),
      zIndex: highlighted ? 10 : 1,
    }),
  ]
}

/** Style of the polygon drawn as a filter. */
export const drawnAreaStyle = new Style({
  stroke: new Stroke({ color: '#2b6a46', width: 2, lineDash: [6, 4] }),
  fill: new Fill({ color: 'rgba(63, 138, 95, 0.08)' }),
})
