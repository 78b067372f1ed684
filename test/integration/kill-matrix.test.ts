// Kill matrix (issue 17) for the one-way commands: backup, restore, migrate, each killed at the
// first and last time of every state point, then run again (see test/support/kill-matrix-suite.ts).
import { killMatrixTests } from '../support/kill-matrix-suite.js'

killMatrixTests(['backup', 'restore', 'migrate'])
