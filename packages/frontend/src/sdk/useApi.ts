import { type ApiFetchOptions, apiFetch } from '../api/apiFetch.ts'

export interface Api {
  get<T>(url: string, options?: ApiFetchOptions): Promise<T>
  post<T>(url: string, body?: unknown, options?: ApiFetchOptions): Promise<T>
  put<T>(url: string, body?: unknown, options?: ApiFetchOptions): Promise<T>
  patch<T>(url: string, body?: unknown, options?: ApiFetchOptions): Promise<T>
  delete<T = void>(url: string, options?: ApiFetchOptions): Promise<T>
}

/** JSON API client (same origin, session cookie); errors reject with ApiError. */
export function useApi(): Api {
  return {
    get: (url, options) => apiFetch(url, { ...options, method: 'GET' }),
    post: (url, body, options) => apiFetch(url, { ...options, method: 'POST', body }),
    put: (url, body, options) => apiFetch(url, { ...options, method: 'PUT', body }),
    patch: (url, body, options) => apiFetch(url, { ...options, method: 'PATCH', body }),
    delete: (url, options) => apiFetch(url, { ...options, method: 'DELETE' }),
  }
}
