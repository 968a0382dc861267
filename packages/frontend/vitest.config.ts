import vue from '@vitejs/plugin-vue'
import { defineProject } from 'vitest/config'

export default defineProject({
  plugins: [vue()],
  test: {
    name: 'frontend',
    environment: 'happy-dom',
    // Module UIs' own unit tests (packages/module-*/frontend/test) run here too: same Vue plugin, same DOM.
    include: ['test/**/*.test.ts', '../module-*/frontend/test/**/*.test.ts'],
  },
})
