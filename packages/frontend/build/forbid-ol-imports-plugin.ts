import type { Plugin } from 'vite'

/** True for `ol` and any `ol/...` deep import. */
export function isOpenLayersImport(specifier: string): boolean {
  return specifier === 'ol' || specifier.startsWith('ol/')
}

/**
 * Fails a module UI build that imports OpenLayers directly: a second copy of `ol` breaks `instanceof` checks
 * and `ol_uid` counters on the shell's shared map. Modules use the OpenLayers re-exports of `@biodiv/sdk`.
 */
export function forbidOpenLayersImportsPlugin(): Plugin {
  return {
    name: 'biodiv:forbid-ol-imports',
    enforce: 'pre',
    resolveId(source, importer) {
      if (isOpenLayersImport(source)) {
        this.error(
          `Module UIs must not import "${source}"${importer ? ` (in ${importer})` : ''}: ` +
            'use the OpenLayers re-exports of @biodiv/sdk so the shell and modules share one OpenLayers.',
        )
      }
      return null
    },
  }
}
