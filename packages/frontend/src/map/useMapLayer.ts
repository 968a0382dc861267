import type BaseLayer from 'ol/layer/Base.js'
import { markRaw, onBeforeUnmount, onMounted } from 'vue'
import { useMap } from './useMap.ts'

/**
 * Creates a layer for the lifetime of the calling component: added to the shared map on mount,
 * removed on unmount. Returns the (non-reactive) layer.
 */
export function useMapLayer<L extends BaseLayer>(createLayer: () => L): L {
  const map = useMap()
  const layer = markRaw(createLayer())
  onMounted(() => map.addLayer(layer))
  onBeforeUnmount(() => map.removeLayer(layer))
  return layer
}
