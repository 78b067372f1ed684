// folderfilter / nametrans values: JavaScript arrow functions (or translated Python lambdas),
// compiled in a fresh node:vm context with nothing but plain JavaScript in it (no require, no
// process, no eval), called under a timeout, and checked for the return type. Every failure is a
// ConfigError naming the option, the section and the file line.
import vm from 'node:vm'
import { ConfigError, type ConfigLocation } from '../errors.js'
import { looksLikePythonLambda, translatePythonLambda, UntranslatableLambda } from './python-lambda.js'
import type { OptionSpec } from './schema.js'

const TIMEOUT_MS = 200

export interface CompiledFunction {
  /** Calls the user's function; throws ConfigError if it throws, hangs or returns the wrong type. */
  fn: (...args: string[]) => unknown
  /** The JavaScript that runs (the translation, for a Python lambda). */
  js: string
  /** The text as written, when it was a translated Python lambda. */
  python?: string
}

/** The JavaScript users should write for this option (shown when a lambda cannot be used). */
function exampleFunction(spec: OptionSpec): string {
  if (spec.params?.length === 2) return `(account, folder) => !['Trash', 'Spam'].includes(folder)`
  if (spec.returns === 'boolean') return `folder => !['Trash', 'Spam'].includes(folder)`
  return `folder => folder.replace(/^INBOX\\./, '')`
}

export function compileFunction(text: string, spec: OptionSpec, where: ConfigLocation): CompiledFunction {
  let js = text.trim()
  let python: string | undefined
  if (looksLikePythonLambda(js)) {
    python = js
    try {
      js = translatePythonLambda(js)
    } catch (e) {
      if (!(e instanceof UntranslatableLambda)) throw e
      throw new ConfigError(
        `this Python lambda cannot be translated (${e.message}); write JavaScript instead, e.g. ${spec.name} = ${exampleFunction(spec)}`,
        where,
        { hint: `mailsync runs no Python: ${spec.name} takes a JavaScript arrow function` },
      )
    }
  }
  const context = vm.createContext(Object.create(null), {
    name: `${where.section ?? ''} ${spec.name}`,
    codeGeneration: { strings: false, wasm: false },
  })
  let value: unknown
  try {
    const script = new vm.Script(`"use strict";\n(${js}\n)`, { filename: `${where.file ?? 'config'}:${where.line ?? 0}` })
    value = script.runInContext(context, { timeout: TIMEOUT_MS })
  } catch (e) {
    const kind = errorName(e) === 'SyntaxError' ? 'JavaScript syntax error' : 'evaluating the function failed'
    throw new ConfigError(`${kind}: ${errorText(e)}`, where, { hint: `expected e.g. ${spec.name} = ${exampleFunction(spec)}` })
  }
  if (typeof value !== 'function') {
    throw new ConfigError(`expected a function like ${exampleFunction(spec)}, got ${value === null ? 'null' : typeof value}`, where)
  }
  context.__fn = value
  const call = new vm.Script(`__fn(__a0, __a1)`)
  const expected = spec.returns
  const fn = (...args: string[]): unknown => {
    // Only primitives cross into the context: host objects would lead back to host globals.
    context.__a0 = String(args[0] ?? '')
    context.__a1 = String(args[1] ?? '')
    let result: unknown
    try {
      result = call.runInContext(context, { timeout: TIMEOUT_MS })
    } catch (e) {
      const what = isTimeout(e) ? `did not return within ${TIMEOUT_MS} ms (endless loop?)` : `threw ${errorText(e)}`
      throw new ConfigError(`${what} when called with ${args.map((a) => JSON.stringify(a)).join(', ')}`, where)
    }
    if (expected && typeof result !== expected) {
      throw new ConfigError(
        `returned ${result === null ? 'null' : typeof result} for ${args.map((a) => JSON.stringify(a)).join(', ')}, expected a ${expected}`,
        where,
      )
    }
    return result
  }
  return { fn, js, python }
}

function errorName(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'name' in e ? String((e as { name: unknown }).name) : undefined
}

function isTimeout(e: unknown): boolean {
  return (e as { code?: string } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT'
}

function errorText(e: unknown): string {
  if (isTimeout(e)) return `no result within ${TIMEOUT_MS} ms (endless loop?)`
  if (typeof e === 'object' && e !== null && 'message' in e) return `${errorName(e) ?? 'Error'}: ${String((e as { message: unknown }).message)}`
  return String(e)
}
