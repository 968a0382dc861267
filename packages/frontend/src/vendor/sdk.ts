// Import-map target for `@biodiv/sdk`: the SDK module UIs build against.
export * from '../sdk/index.ts'
