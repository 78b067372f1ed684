// Kill matrix (issue 17) for two-way sync: a first sync of two non-empty sides, and a later sync
// with changes on both sides and a UIDVALIDITY repair (see test/support/kill-matrix-suite.ts).
import { killMatrixTests } from '../support/kill-matrix-suite.js'

killMatrixTests(['sync-first', 'sync-changes'])
