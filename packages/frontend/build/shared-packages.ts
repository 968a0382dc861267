/**
 * The packages the shell shares with module UIs through the import map.
 * Each one is built as an extra entry with a stable file name (`vendor/<name>.js`) that re-exports the very chunks
 * the shell itself uses, so the browser holds a single instance of each.
 */
export interface SharedPackage {
  /** Bare specifier modules import, e.g. `vue`. */
  specifier: string
  /** Entry source, relative to packages/frontend. */
  source: string
  /** Rolldown entry name; also the output path without `.js`. */
  entryName: string
}

export const SHARED_PACKAGES: readonly SharedPackage[] = [
  { specifier: 'vue', source: 'src/vendor/vue.ts', entryName: 'vendor/vue' },
  { specifier: 'pinia', source: 'src/vendor/pinia.ts', entryName: 'vendor/pinia' },
  { specifier: 'vue-router', source: 'src/vendor/vue-router.ts', entryName: 'vendor/vue-router' },
  { specifier: '@biodiv/sdk', source: 'src/vendor/sdk.ts', entryName: 'vendor/sdk' },
]

/** Specifiers a module UI build must leave external (resolved by the import map at runtime). */
export const SHARED_SPECIFIERS: readonly string[] = SHARED_PACKAGES.map((p) => p.specifier)
