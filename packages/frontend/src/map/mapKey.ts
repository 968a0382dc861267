import type OlMap from 'ol/Map.js'
import type { InjectionKey } from 'vue'

/** Injection key of the single OpenLayers map the shell creates and shares with pages and modules. */
export const MAP_KEY: InjectionKey<OlMap> = Symbol('biodiv.map')
