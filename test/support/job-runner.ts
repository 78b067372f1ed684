// Runs one job in a child process (so a test can kill it at any side effect):
//   node dist/test/support/job-runner.js <config file> <policy> [account]
// Prints the result as JSON on the last line of stdout.
import { loadConfig, accountsToSync } from '../../src/config/index.js'
import { runJob, type PolicyName } from '../../src/jobs/run-job.js'
import { sideEffectCount } from '../../src/crash-point.js'

const [configFile, policy, account] = process.argv.slice(2)
const config = await loadConfig({ path: configFile! })
const accounts = accountsToSync(config, account ? [account] : [])
try {
  const res = await runJob({ policy: policy as PolicyName, config, accounts, dryRun: process.env.DRY_RUN === '1', force: process.env.FORCE === '1' }, () => undefined)
  process.stdout.write(`${JSON.stringify({ exitCode: res.exitCode, counts: res.counts, sideEffects: sideEffectCount(), errors: res.errors })}\n`)
  process.exitCode = res.exitCode
} catch (e) {
  process.stdout.write(`${JSON.stringify({ error: String(e), sideEffects: sideEffectCount() })}\n`)
  process.exitCode = 3
}
