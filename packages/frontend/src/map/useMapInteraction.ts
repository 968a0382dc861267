import type Interaction from 'ol/interaction/Interaction.js'
import { markRaw, onBeforeUnmount, onMounted } from 'vue'
import { useMap } from './useMap.ts'

/** Like useMapLayer, for an interaction (Draw, Modify, Select…): on the map while the component is mounted. */
export function useMapInteraction<I extends Interaction>(createInteraction: () => I): I {
  const map = useMap()
  const interaction = markRaw(createInteraction())
  onMounted(() => map.addInteraction(interaction))
  onBeforeUnmount(() => map.removeInteraction(interaction))
  return interaction
}
