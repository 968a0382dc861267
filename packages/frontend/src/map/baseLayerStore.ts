import { defineStore } from 'pinia'
import { ref } from 'vue'

export type BaseLayerId = 'outlines' | 'grid' | 'osm'

export interface BaseLayerOption {
  id: BaseLayerId
  label: string
  hint: string
}

export const BASE_LAYER_OPTIONS: readonly BaseLayerOption[] = [
  { id: 'outlines', label: 'Contours des pays', hint: 'Natural Earth 1:50m, disponible hors ligne' },
  { id: 'grid', label: 'Mailles 10 km (Lambert-93)', hint: 'Grille nationale de référence' },
  { id: 'osm', label: 'Fond OpenStreetMap', hint: 'Nécessite une connexion à Internet' },
]

/** Which base layers are shown. The offline ones are on by default; OpenStreetMap is opt-in. */
export const useBaseLayerStore = defineStore('baseLayers', () => {
  const visible = ref<Record<BaseLayerId, boolean>>({ outlines: true, grid: true, osm: false })
  function toggle(id: BaseLayerId): void {
    visible.value[id] = !visible.value[id]
  }
  return { visible, toggle }
})
