import type OlMap from 'ol/Map.js'
import { inject } from 'vue'
import { MAP_KEY } from './mapKey.ts'

/** The shared OpenLayers map. Call from a component's setup. */
export function useMap(): OlMap {
  const map = inject(MAP_KEY, null)
  if (!map)
    throw new Error('useMap() needs the shell’s map: call it inside a component rendered by the shell')
  return map
}
