import { parseArgs } from 'node:util'
import { createUserCommand } from './create-user-command.ts'
import { migrateCommand, seedCommand } from './database-commands.ts'

const COMMANDS: Record<string, { run: (args: string[]) => Promise<void>; help: string }> = {
  'db:migrate': {
    run: migrateCommand,
    help: 'apply the core and module migrations, sync module permissions',
  },
  'db:seed': {
    run: seedCommand,
    help: 'migrate, then insert the demo organisms, users and permissions (once)',
  },
  'user:create': {
    run: createUserCommand,
    help: 'create a user: --login LOGIN --password-stdin [--admin] [--organism NAME] [--first-name X] [--last-name Y] [--email E]',
  },
}

function usage(): string {
  return `Usage: pnpm cli <command> [options]\n\n${Object.entries(COMMANDS)
    .map(([name, c]) => `  ${name.padEnd(12)} ${c.help}`)
    .join('\n')}\n`
}

const [name, ...args] = process.argv.slice(2)
const command = name ? COMMANDS[name] : undefined
if (!command) {
  const { values } = parseArgs({ args, options: { help: { type: 'boolean' } }, strict: false })
  process.stderr.write(name && !values.help ? `Unknown command: ${name}\n\n${usage()}` : usage())
  process.exit(name ? 2 : 0)
}
command.run(args).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`)
    process.exit(1)
  },
)
