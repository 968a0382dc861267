import { hash, verify } from '@node-rs/argon2'

export function hashPassword(password: string): Promise<string> {
  return hash(password)
}

// Verifying against this when the login does not exist keeps response times alike for known and unknown logins.
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$gn7QAWbCFam09DzCWZEfkQ$akIM4DZcOU6L02vhyd2Nd2CT3JRHEM3S/7V+Xw4RIUs'

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash ?? DUMMY_HASH, password)
  } catch {
    return false
  }
}
