import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ApiError, apiFetch } from '../api/apiFetch.ts'
import type { ApiBody, ApiResponse } from '../api/apiSchema.ts'
import type { Grants, Me, ModuleSummary } from '../api/types.ts'

/** The signed-in user and the modules (with their grants) they may use. */
export const useSessionStore = defineStore('session', () => {
  const user = ref<Me | null>(null)
  const modules = ref<ModuleSummary[]>([])

  const isAuthenticated = computed(() => user.value !== null)
  const displayName = computed(() => {
    const u = user.value
    if (!u) return ''
    const full = [u.firstName, u.lastName].filter(Boolean).join(' ')
    return full || u.login
  })

  /** Restores the session from the cookie. Resolves true when signed in. */
  async function restore(): Promise<boolean> {
    try {
      user.value = await apiFetch<Me>('/api/auth/me')
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401))
        console.error('[session] GET /api/auth/me', error)
      user.value = null
    }
    return user.value !== null
  }

  async function login(loginName: string, password: string): Promise<Me> {
    const body: ApiBody<'/api/auth/login', 'post'> = { login: loginName, password }
    const res = await apiFetch<ApiResponse<'/api/auth/login', 'post'>>('/api/auth/login', {
      method: 'POST',
      body,
    })
    user.value = res.user
    return res.user
  }

  async function logout(): Promise<void> {
    try {
      await apiFetch<void>('/api/auth/logout', { method: 'POST' })
    } finally {
      user.value = null
      modules.value = []
    }
  }

  async function fetchModules(): Promise<ModuleSummary[]> {
    modules.value = await apiFetch<ModuleSummary[]>('/api/modules')
    return modules.value
  }

  function moduleByCode(code: string): ModuleSummary | undefined {
    return modules.value.find((m) => m.code === code)
  }

  function grantsFor(code: string): Grants {
    return moduleByCode(code)?.grants ?? {}
  }

  return {
    user,
    modules,
    isAuthenticated,
    displayName,
    restore,
    login,
    logout,
    fetchModules,
    moduleByCode,
    grantsFor,
  }
})

export type SessionStore = ReturnType<typeof useSessionStore>
