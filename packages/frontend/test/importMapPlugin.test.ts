import { describe, expect, it } from 'vitest'
import { buildImportMap, importMapPlugin, injectImportMap } from '../build/import-map-plugin.ts'
import { SHARED_PACKAGES } from '../build/shared-packages.ts'

const html =
  '<!doctype html>\n<html>\n  <head>\n    <meta charset="UTF-8" />\n    <script type="module" src="/src/main.ts"></script>\n  </head>\n</html>'

function runPlugin(command: 'build' | 'serve', base = '/'): string {
  const plugin = importMapPlugin(SHARED_PACKAGES)
  ;(plugin.configResolved as (c: unknown) => void)({ command, base })
  const hook = plugin.transformIndexHtml as { handler: (html: string) => string }
  return hook.handler(html)
}

function importMapOf(output: string): unknown {
  const match = /<script type="importmap">([\s\S]*?)<\/script>/.exec(output)
  return match ? JSON.parse(match[1]!) : null
}

describe('import map plugin', () => {
  it('maps the shared bare specifiers to the stable vendor files in a build', () => {
    expect(importMapOf(runPlugin('build'))).toEqual({
      imports: {
        vue: '/vendor/vue.js',
        pinia: '/vendor/pinia.js',
        'vue-router': '/vendor/vue-router.js',
        '@biodiv/sdk': '/vendor/sdk.js',
      },
    })
  })

  it('maps them to the vendor shim sources in dev, honouring the base path', () => {
    expect(buildImportMap(SHARED_PACKAGES, 'serve', '/app/').imports).toEqual({
      vue: '/app/src/vendor/vue.ts',
      pinia: '/app/src/vendor/pinia.ts',
      'vue-router': '/app/src/vendor/vue-router.ts',
      '@biodiv/sdk': '/app/src/vendor/sdk.ts',
    })
  })

  it('puts the import map first in <head>, before any module script', () => {
    const output = runPlugin('build')
    const head = output.slice(output.indexOf('<head>') + '<head>'.length).trimStart()
    expect(head.startsWith('<script type="importmap">')).toBe(true)
    expect(output.indexOf('type="importmap"')).toBeLessThan(output.indexOf('type="module"'))
  })

  it('refuses an index.html without <head>', () => {
    expect(() => injectImportMap('<html></html>', { imports: {} })).toThrow(/<head>/)
  })
})
