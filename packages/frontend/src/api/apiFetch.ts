import type { ApiErrorBody } from './types.ts'

/** An API error response (`{error:{code,message,details}}`), or a network failure (code `NETWORK_ERROR`). */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly status: number
  readonly code: string
  readonly details: unknown

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message)
    this.status = status
    this.code = code
    this.details = details
  }
}

let onSessionLost: (() => void) | null = null

/** Called when a signed-in request answers 401 UNAUTHENTICATED (the session expired or was revoked). */
export function setSessionLostHandler(handler: (() => void) | null): void {
  onSessionLost = handler
}

export interface ApiFetchOptions extends Omit<RequestInit, 'body'> {
  /** Serialised as JSON when it is not a FormData/Blob/string. */
  body?: unknown
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false
  const error = (value as { error: unknown }).error
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error
}

function encodeBody(body: unknown, headers: Headers): BodyInit | undefined {
  if (body === undefined) return undefined
  if (body instanceof FormData || body instanceof Blob || typeof body === 'string') return body
  headers.set('content-type', 'application/json')
  return JSON.stringify(body)
}

/**
 * Same-origin JSON fetch with the session cookie. Resolves with the parsed body (undefined for 204),
 * rejects with an ApiError carrying the server's `{code, message, details}`.
 */
export async function apiFetch<T>(url: string, options: ApiFetchOptions = {}): Promise<T> {
  const { body, ...init } = options
  const headers = new Headers(init.headers)
  if (!headers.has('accept')) headers.set('accept', 'application/json')
  let response: Response
  try {
    response = await fetch(url, { ...init, headers, body: encodeBody(body, headers), credentials: 'include' })
  } catch (cause) {
    throw new ApiError(0, 'NETWORK_ERROR', `Le serveur ne répond pas (${String(cause)})`)
  }
  if (response.status === 204) return undefined as T
  const text = await response.text()
  let parsed: unknown
  try {
    parsed = text === '' ? undefined : JSON.parse(text)
  } catch {
    parsed = undefined
  }
  if (!response.ok) {
    if (isErrorBody(parsed)) {
      const { code, message, details } = parsed.error
      if (response.status === 401 && code === 'UNAUTHENTICATED' && !url.startsWith('/api/auth/'))
        onSessionLost?.()
      throw new ApiError(response.status, code, message, details)
    }
    throw new ApiError(response.status, `HTTP_${response.status}`, response.statusText || 'Erreur du serveur')
  }
  return parsed as T
}
