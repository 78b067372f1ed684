#!/usr/bin/env node
// Entry point of the `mailsync` binary: hands the arguments to oclif, which loads only the
// command that was asked for (see package.json "oclif").
import { execute } from '@oclif/core'

await execute({ dir: import.meta.url })
