// Import-map target for `vue-router`: re-exports the shell's router library so module UIs share its instance.
export * from 'vue-router'
