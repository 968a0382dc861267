import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, apiFetch, setSessionLostHandler } from '../src/api/apiFetch.ts'

afterEach(() => {
  vi.restoreAllMocks()
  setSessionLostHandler(null)
})

function respond(status: number, body?: unknown) {
  return vi
    .spyOn(globalThis, 'fetch')
    .mockResolvedValue(new Response(body === undefined ? null : JSON.stringify(body), { status }))
}

describe('apiFetch', () => {
  it('sends JSON with the session cookie and returns the parsed body', async () => {
    const fetchSpy = respond(200, { ok: true })
    await expect(apiFetch('/api/x', { method: 'POST', body: { a: 1 } })).resolves.toEqual({ ok: true })
    const [, init] = fetchSpy.mock.calls[0]!
    expect(init?.credentials).toBe('include')
    expect(init?.body).toBe('{"a":1}')
    expect(new Headers(init?.headers).get('content-type')).toBe('application/json')
  })

  it('throws an ApiError carrying code, message and details of the error body', async () => {
    respond(401, {
      error: { code: 'INVALID_CREDENTIALS', message: 'Bad login', details: { field: 'login' } },
    })
    const error = await apiFetch('/api/auth/login').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({
      status: 401,
      code: 'INVALID_CREDENTIALS',
      message: 'Bad login',
      details: { field: 'login' },
    })
  })

  it('returns undefined for 204 and reports network failures as NETWORK_ERROR', async () => {
    respond(204)
    await expect(apiFetch('/api/auth/logout', { method: 'POST' })).resolves.toBeUndefined()
    vi.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('Failed to fetch'))
    await expect(apiFetch('/api/auth/me')).rejects.toMatchObject({ code: 'NETWORK_ERROR', status: 0 })
  })
})

describe('session loss', () => {
  it('calls the handler when an API call answers 401 UNAUTHENTICATED, but not for the auth routes', async () => {
    const lost = vi.fn()
    setSessionLostHandler(lost)
    const body = { error: { code: 'UNAUTHENTICATED', message: 'Not signed in' } }
    respond(401, body)
    await expect(apiFetch('/api/auth/me')).rejects.toBeInstanceOf(ApiError)
    expect(lost).not.toHaveBeenCalled()
    respond(401, body)
    await expect(apiFetch('/api/occtax/releves')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
    expect(lost).toHaveBeenCalledOnce()
  })
})
