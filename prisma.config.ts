import { defineConfig } from 'prisma/config'

// env('DATABASE_URL') would make `prisma generate` fail when the variable is unset (TOOLCHAIN.md).
export default defineConfig({
  schema: 'prisma/schema',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
})
