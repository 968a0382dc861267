import { defineStore } from 'pinia'
import { ref } from 'vue'

export interface Notice {
  id: number
  level: 'error' | 'warning' | 'info'
  message: string
  detail?: string
}

/** Non-blocking messages shown above the page (e.g. a module UI that could not be loaded). */
export const useNoticeStore = defineStore('notices', () => {
  const notices = ref<Notice[]>([])
  let nextId = 1

  function push(notice: Omit<Notice, 'id'>): number {
    const id = nextId++
    notices.value.push({ ...notice, id })
    return id
  }

  function dismiss(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id)
  }

  function clear(): void {
    notices.value = []
  }

  return { notices, push, dismiss, clear }
})
