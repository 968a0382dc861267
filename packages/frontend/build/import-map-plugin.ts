import type { Plugin } from 'vite'
import type { SharedPackage } from './shared-packages.ts'

export interface ImportMap {
  imports: Record<string, string>
}

/**
 * Builds the import map: in a production build, bare specifiers point at the stable vendor files
 * (`<base>vendor/vue.js`); in dev, at the vendor shim sources that Vite serves and transforms.
 */
export function buildImportMap(
  packages: readonly SharedPackage[],
  mode: 'build' | 'serve',
  base = '/',
): ImportMap {
  const prefix = base.endsWith('/') ? base : `${base}/`
  const imports: Record<string, string> = {}
  for (const pkg of packages) {
    imports[pkg.specifier] = mode === 'build' ? `${prefix}${pkg.entryName}.js` : `${prefix}${pkg.source}`
  }
  return { imports }
}

/** Inserts `<script type="importmap">` as the very first child of `<head>`. */
export function injectImportMap(html: string, map: ImportMap): string {
  const json = JSON.stringify(map, null, 2).replaceAll('</', '<\\/')
  const script = `<script type="importmap">\n${json}\n</script>`
  if (!/<head[^>]*>/i.test(html)) throw new Error('index.html has no <head>: cannot inject the import map')
  return html.replace(/<head[^>]*>/i, (open) => `${open}\n    ${script}`)
}

/**
 * Injects the import map so module UIs loaded at runtime resolve `vue`, `pinia`, `vue-router` and `@biodiv/sdk`
 * to the shell's own instances. Runs last so it lands before the scripts other plugins prepend.
 */
export function importMapPlugin(packages: readonly SharedPackage[]): Plugin {
  let mode: 'build' | 'serve' = 'build'
  let base = '/'
  return {
    name: 'biodiv:import-map',
    enforce: 'post',
    configResolved(config) {
      mode = config.command
      base = config.base
    },
    transformIndexHtml: {
      order: 'post',
      handler: (html) => injectImportMap(html, buildImportMap(packages, mode, base)),
    },
  }
}
