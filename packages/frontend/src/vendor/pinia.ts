// Import-map target for `pinia`: re-exports the shell's own Pinia so module UIs share its instance.
export * from 'pinia'
