import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createModuleUiBuildConfig } from '../build/module-build.ts'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'module-build-'))
  await mkdir(join(dir, 'frontend'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

async function buildModule(source: string) {
  await writeFile(join(dir, 'frontend/index.ts'), source)
  const config = createModuleUiBuildConfig({ moduleDir: dir })
  return build({ ...config, logLevel: 'silent' })
}

describe('module UI build', () => {
  it('emits dist/frontend/index.js as an ES module keeping the shared packages as bare imports', async () => {
    await buildModule(
      "import { ref } from 'vue'\nimport { defineModuleUi } from '@biodiv/sdk'\n" +
        'export const n = ref(process.env.NODE_ENV)\nexport default defineModuleUi({ routes: [] })\n',
    )
    const js = await readFile(join(dir, 'dist/frontend/index.js'), 'utf8')
    expect(js).toMatch(/from ["']vue["']/)
    expect(js).toMatch(/from ["']@biodiv\/sdk["']/)
    expect(js).toContain('"production"')
    expect(js).not.toContain('process.env')
  })

  it('fails when a module imports OpenLayers directly', async () => {
    await expect(buildModule("import Map from 'ol/Map.js'\nexport default Map\n")).rejects.toThrow(
      /must not import "ol\/Map.js"/,
    )
  })
})
