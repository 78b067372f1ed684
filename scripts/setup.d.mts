// Types of scripts/setup.mjs (plain JavaScript: it runs before node_modules exists), for the tests.
export type Target = 'test' | 'demo' | 'pack'
export type NodeModulesState = 'missing' | 'stale' | 'fresh'
export type Step = { kind: 'apt'; packages: string[] } | { kind: 'npm-ci'; onFailure: string }

export const TARGETS: Record<Target, { command: string; packages: string[] }>
export const BUILD_TOOLS: string[]
export const HASH_FILE: string
export const CYRUS_LIBRARIES: string[]

export function planSetup(facts: {
  target: Target
  isRoot: boolean
  missing: string[]
  nodeModules: NodeModulesState
  missingBuildTools?: string[]
  hasApt?: boolean
}): { steps: Step[]; stop: string | undefined }

export function lockHash(lockText: string): string
export function nodeModulesState(root: string): NodeModulesState
export function samePackages(locked: Record<string, Record<string, unknown>>, installed: Record<string, Record<string, unknown>>): boolean
export function missingPackages(packages: string[], env?: Record<string, string | undefined>): string[]
