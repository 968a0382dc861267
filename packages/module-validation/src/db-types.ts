import type { Database, withTransaction } from '@biodiv/core'

// The pg types through the core (the module does not depend on pg itself).
export type Pool = Database['pool']
export type Client = Parameters<Parameters<typeof withTransaction>[1]>[0]
export type Queryable = Pool | Client
