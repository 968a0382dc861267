// Import-map target for `vue`: re-exports the shell's own Vue so module UIs share its instance.
export * from 'vue'
