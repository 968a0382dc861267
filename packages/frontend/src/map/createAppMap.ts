import { defaults as defaultControls } from 'ol/control/defaults.js'
import ScaleLine from 'ol/control/ScaleLine.js'
import OlMap from 'ol/Map.js'
import { fromLonLat } from 'ol/proj.js'
import View from 'ol/View.js'
import { markRaw } from 'vue'
import { DEMO_REGION } from './demoRegion.ts'

/**
 * Creates the application's one OpenLayers map, centred on the demo region. It is never made reactive
 * (markRaw): pages attach it to their MapView and layers come and go with their components.
 */
export function createAppMap(): OlMap {
  const map = new OlMap({
    view: new View({ center: fromLonLat(DEMO_REGION.center), zoom: DEMO_REGION.zoom, maxZoom: 19 }),
    controls: defaultControls({ attributionOptions: { collapsible: true } }).extend([
      new ScaleLine({ units: 'metric' }),
    ]),
  })
  return markRaw(map)
}
