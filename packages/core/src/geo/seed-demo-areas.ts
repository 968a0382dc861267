import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type pg from 'pg'
import { feature } from 'topojson-client'
import { generateGrid } from './inpn-grid.ts'

/** The demo territory (Parc national des Écrins and around), lon/lat. */
export const DEMO_REGION_BBOX: [number, number, number, number] = [5.8, 44.5, 6.7, 45.2]

/** France and its neighbours: ISO 3166-1 numeric (world-atlas ids) → alpha-2 code, French name. */
const COUNTRIES: Record<string, [string, string]> = {
  '250': ['FR', 'France'],
  '380': ['IT', 'Italie'],
  '756': ['CH', 'Suisse'],
  '724': ['ES', 'Espagne'],
  '276': ['DE', 'Allemagne'],
  '056': ['BE', 'Belgique'],
  '442': ['LU', 'Luxembourg'],
  '492': ['MC', 'Monaco'],
  '020': ['AD', 'Andorre'],
}

const NATURAL_EARTH_SOURCE =
  'Natural Earth 1:50m Admin 0 – Countries (domaine public), paquet npm world-atlas 2.0.2'

/**
 * Demo areas, inside the demo seed's transaction: INPN 10 km and 5 km cells over the demo region (generated, exact),
 * and the REAL country outlines of France and its neighbours from Natural Earth 1:50m (type PAYS). No commune or
 * département boundaries: no package here ships them (import IGN ADMIN EXPRESS with `pnpm cli geo:import`).
 */
export async function seedDemoAreas(client: pg.ClientBase): Promise<void> {
  const [xmin, ymin, xmax, ymax] = DEMO_REGION_BBOX
  for (const sizeKm of [10, 5]) {
    await generateGrid(client, { sizeKm, bbox: [xmin, ymin, xmax, ymax], srid: 4326 })
  }
  const require = createRequire(import.meta.url)
  const topology = JSON.parse(
    readFileSync(require.resolve('world-atlas/countries-50m.json'), 'utf8'),
  ) as Parameters<typeof feature>[0]
  const collection = feature(topology, topology.objects.countries!)
  const countries = ('features' in collection ? collection.features : [collection]).filter(
    (f) => typeof f.id === 'string' && f.id in COUNTRIES,
  )
  const rows = countries.map((f) => {
    const [code, name] = COUNTRIES[f.id as string]!
    return { code, name, geometry: f.geometry, iso: f.id, ne_name: f.properties?.name }
  })
  // Quantized TopoJSON can yield self-touching rings: repaired, never reshaped by hand.
  await client.query(
    `INSERT INTO ref_geo.areas (type_id, area_code, area_name, geom, source, additional_data)
     SELECT (SELECT id FROM ref_geo.area_types WHERE code = 'PAYS'), r->>'code', r->>'name',
            ST_Multi(CASE WHEN ST_IsValid(g) THEN g ELSE ST_CollectionExtract(ST_MakeValid(g), 3) END),
            $2, jsonb_build_object('iso_numeric', r->>'iso', 'natural_earth_name', r->>'ne_name')
       FROM jsonb_array_elements($1::jsonb) r,
            LATERAL (SELECT ST_SetSRID(ST_GeomFromGeoJSON(r->'geometry'), 4326) AS g) x
     ON CONFLICT (type_id, area_code) DO NOTHING`,
    [JSON.stringify(rows), NATURAL_EARTH_SOURCE],
  )
}
