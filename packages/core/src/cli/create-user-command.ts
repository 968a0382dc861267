import { parseArgs } from 'node:util'
import { hashPassword } from '../auth/passwords.ts'
import { withTransaction } from '../db/transaction.ts'
import { withPlatform } from './cli-platform.ts'

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  // One line: the password without its line ending.
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? ''
}

export async function createUserCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      login: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      admin: { type: 'boolean' },
      organism: { type: 'string' },
      'first-name': { type: 'string' },
      'last-name': { type: 'string' },
      email: { type: 'string' },
    },
  })
  if (!values.login) throw new Error('--login is required')
  if (!/^[A-Za-z0-9._@-]{2,64}$/.test(values.login)) {
    throw new Error('--login must be 2–64 letters, digits, ".", "_", "@" or "-"')
  }
  if (!values['password-stdin'])
    throw new Error('--password-stdin is required (the password is read from stdin)')
  const password = await readStdin()
  if (password.length < 8) throw new Error('The password must have at least 8 characters')
  const passwordHash = await hashPassword(password)

  await withPlatform(async ({ database }) => {
    await withTransaction(database.pool, async (client) => {
      let organismId: number | null = null
      if (values.organism) {
        const { rows } = await client.query<{ id: number }>('SELECT id FROM core.organisms WHERE name = $1', [
          values.organism,
        ])
        if (!rows[0]) throw new Error(`Organism "${values.organism}" does not exist`)
        organismId = rows[0].id
      }
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO core.users (login, password_hash, first_name, last_name, email, organism_id)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (login) DO NOTHING RETURNING id`,
        [
          values.login,
          passwordHash,
          values['first-name'] ?? null,
          values['last-name'] ?? null,
          values.email ?? null,
          organismId,
        ],
      )
      if (!rows[0]) throw new Error(`A user with login "${values.login}" already exists`)
      if (values.admin) {
        // An administrator holds every declared action of every module, on all data.
        await client.query(
          `INSERT INTO core.permissions (user_id, module_code, action, scope)
           SELECT $1, module_code, action, 3 FROM core.module_actions`,
          [rows[0].id],
        )
      }
      process.stderr.write(
        `User ${values.login} created (id ${rows[0].id})${values.admin ? ' with every permission' : ''}.\n`,
      )
    })
  })
}
