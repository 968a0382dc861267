import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'
import { importMapPlugin } from './build/import-map-plugin.ts'
import { SHARED_PACKAGES } from './build/shared-packages.ts'

const root = fileURLToPath(new URL('.', import.meta.url))
const backend = process.env.BIODIV_API_URL ?? 'http://localhost:3000'

export default defineConfig({
  root,
  plugins: [vue(), importMapPlugin(SHARED_PACKAGES)],
  server: {
    proxy: { '/api': backend, '/modules': backend },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // One stylesheet linked from index.html: CSS of SDK components only modules render (e.g. ModuleGrants) would
    // otherwise sit in the vendor/sdk entry's CSS chunk, which no page ever links.
    cssCodeSplit: false,
    rolldownOptions: {
      input: {
        index: resolve(root, 'index.html'),
        ...Object.fromEntries(SHARED_PACKAGES.map((p) => [p.entryName, resolve(root, p.source)])),
      },
      // Keep the vendor entries' exports: the import map points modules at them.
      preserveEntrySignatures: 'strict',
      output: {
        entryFileNames: (chunk) =>
          chunk.name.startsWith('vendor/') ? '[name].js' : 'assets/[name]-[hash].js',
      },
    },
  },
})
