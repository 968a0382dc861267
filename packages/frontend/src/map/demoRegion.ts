import type { LonLat, LonLatExtent } from './l93Grid.ts'

/** The demo region: Parc national des Écrins (Hautes-Alpes / Isère). */
export const DEMO_REGION = {
  name: 'Parc national des Écrins',
  extent: [5.8, 44.5, 6.7, 45.2] as LonLatExtent,
  center: [6.25, 44.85] as LonLat,
  zoom: 10,
}
