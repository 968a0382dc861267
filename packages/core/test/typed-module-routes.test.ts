import { Type } from 'typebox'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { FIRST_PARTY_MODULES } from '../src/config.ts'
import { defineModule, type ModuleRequest, type ModuleRoutes } from '../src/index.ts'
import {
  createTestApp,
  createUser,
  DEMO_ORGANISM,
  HELLO_MODULE,
  loginAs,
  type TestApp,
} from './helpers/index.ts'

// Type level, checked by `pnpm typecheck` (tsc compiles this file; expectTypeOf does nothing at run time): the
// contract's `routes` get the TypeBox type provider, so handlers are typed from their schemas, without a cast.
const Params = Type.Object({ id: Type.Integer() })
const Query = Type.Object({ q: Type.Optional(Type.String()), limit: Type.Integer({ default: 20 }) })
const Body = Type.Object({ message: Type.String(), tags: Type.Array(Type.String()) })
const Reply = Type.Object({ id: Type.Integer(), message: Type.String() })

export const typedRoutes: ModuleRoutes<{ maxLength: number }> = async (app, ctx) => {
  expectTypeOf(ctx.config.maxLength).toEqualTypeOf<number>()
  app.put(
    '/things/:id',
    {
      config: { permission: 'U' },
      schema: { params: Params, querystring: Query, body: Body, response: { 200: Reply } },
    },
    async (request) => {
      expectTypeOf(request.params).toEqualTypeOf<{ id: number }>()
      expectTypeOf(request.query).toEqualTypeOf<{ q?: string; limit: number }>()
      expectTypeOf(request.body.tags).toEqualTypeOf<string[]>()
      // @ts-expect-error the params schema has no `uuid`
      request.params.uuid
      // @ts-expect-error `id` is a number, not a string
      request.params.id.toUpperCase()
      // @ts-expect-error the body schema has no `title`
      request.body.title
      // A handler's request is a ModuleRequest, for helpers shared by handlers (the core's user, scope, grants).
      const shared: ModuleRequest = request
      expectTypeOf(shared.user).not.toBeAny()
      return { id: request.params.id, message: request.body.message }
    },
  )
  app.get('/things/:id', { schema: { params: Params, response: { 200: Reply } } }, async (request, reply) => {
    if (request.params.id < 0) {
      // @ts-expect-error the reply is typed from the response schema: `id` is a number
      return reply.send({ id: 'one', message: 'a thing' })
    }
    return reply.send({ id: request.params.id, message: 'a thing' })
  })
}

// Inline, `defineModule({ routes })` types `app` and `ctx` by itself.
defineModule<{ maxLength: number }>({
  manifest: { code: 'TYPED', name: 'Typed', version: '1.0.0', host: '^1.0', permissions: ['R'] },
  routes: async (app, { config }) => {
    expectTypeOf(config).toEqualTypeOf<{ maxLength: number }>()
    app.get('/n/:n', { schema: { params: Type.Object({ n: Type.Number() }) } }, async (request) => {
      expectTypeOf(request.params.n).toEqualTypeOf<number>()
      return null
    })
  },
})

describe('typed module routes, at run time (the example module: params typed and coerced by the schema)', () => {
  let t: TestApp
  let cookie: string
  beforeAll(async () => {
    t = await createTestApp({ modules: [...FIRST_PARTY_MODULES, HELLO_MODULE] })
    await createUser(t.app.db.pool, {
      login: 'greeter',
      organism: DEMO_ORGANISM,
      grants: [
        { module: 'HELLO', action: 'R', scope: 1 },
        { module: 'HELLO', action: 'C', scope: 1 },
      ],
    })
    cookie = await loginAs(t.app, 'greeter')
  })
  afterAll(() => t.close())

  it('reads one greeting by its integer id; a non-integer id is a 400, an unseen one a 404', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/hello/greetings',
      headers: { cookie },
      payload: { message: 'typed' },
    })
    expect(created.statusCode).toBe(201)
    const { id } = created.json()
    const one = await t.app.inject({ method: 'GET', url: `/api/hello/greetings/${id}`, headers: { cookie } })
    expect(one.statusCode).toBe(200)
    expect(one.json()).toMatchObject({ id, message: 'typed' })
    const bad = await t.app.inject({ method: 'GET', url: '/api/hello/greetings/abc', headers: { cookie } })
    expect(bad.statusCode).toBe(400)
    const unseen = await t.app.inject({
      method: 'GET',
      url: `/api/hello/greetings/${id + 1000}`,
      headers: { cookie },
    })
    expect(unseen.statusCode).toBe(404)
    expect(unseen.json().error.code).toBe('GREETING_NOT_FOUND')
  })
})
