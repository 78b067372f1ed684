// The fixed explanation under the generated tables of BENCHMARKS.md: method, and what stands
// between mailsync and the bars it does not meet yet (measured by profiling, see below).
export const BENCH_NOTES = `## Method

- *initial pull* copies the whole account into an empty Maildir. *no-change* re-runs a two-way
  sync after two settle runs (mailsync stores the folder status seen at the start of a run, so the
  run after one that changed something lists once more). *delta* re-runs after 100 new messages
  and 100 \\\\Flagged toggles made over IMAP on the server (the same changes for every tool, spread
  over the folders). *IMAP -> IMAP* copies the account into an empty account of a second Dovecot.
  For the re-runs mailsync runs \`sync\` (two-way, like mbsync's \`Sync All\` and OfflineIMAP).
- Durability is comparable: mbsync (FSync yes, its default) flushes each new message file;
  mailsync writes each file with O_SYNC, renames it into cur/ and fsyncs cur/, and commits its
  status cache (SQLite, WAL, synchronous=NORMAL) in groups of 64 messages, each group's intents
  before its first append. Nothing was relaxed for speed.
- OfflineIMAP is not run IMAP -> IMAP nor on the large message, and uses its default of one
  connection. mailsync uses its default maxconnections = 4; mbsync uses one connection per store.
- Tools alternate run by run, so the ratios hold better than the absolute times, which vary
  from run to run on this kind of machine (and with anything else it is doing).
- \`npm run bench -- --disk ext4\` gives figures on the root file system (what users see; noisy:
  ext4 writes vary 2-10x from run to run on this kind of machine), \`--quick\` a 1,000-message
  corpus (and a 5,000-message one for the large no-change check), \`--only nochange100k\` just
  the large no-change check (100,000 messages in 40 folders, mailsync and mbsync only). A
  narrowed run writes its table to bench/results/ (or \`--out FILE\`), not over BENCHMARKS.md.
- \`node dist/bench/serve-corpus.js [messages] [folders]\` serves the corpus from a test Dovecot
  and prints a mailsync config for it, for profiling by hand (\`node --cpu-prof bin/run.js ...\`).

## What stands in the way (profiled with \`node --cpu-prof\`)

- **Initial pull and migrate** are CPU-bound on the one JavaScript thread (this machine has 2
  cores, shared with Dovecot): the 10,000-message pull costs mailsync about 4 s of CPU (user +
  system), mbsync about 0.6 s. After this round of work the profile is flat: imapflow's response parser
  (tokenizer, literal copies), garbage collection of the message Buffers, SHA-256 of every body
  (the fingerprint that makes crash recovery adopt instead of duplicate), and the system calls
  of the Maildir delivery. Closing a 4-5x gap needs a different design, not a tweak: a FETCH
  path that streams literals straight to files without building message objects, or workers
  (threads) per connection so parsing runs on both cores.
- **Re-sync after changes**: after a clean run, a changed IMAP folder is read as the status
  cache plus \`CHANGEDSINCE\`/\`VANISHED\` (QRESYNC), and a Maildir whose directories did not
  change is taken from the status cache (the \`listedA\`/\`listedB\` fields of the folder-plan
  events say which). What is left: the Maildir side that the previous run itself wrote to is
  listed in full (its directory mtimes changed, and a change by the user in the same moment
  could not be told apart), plus process start. 1.08 s went to 0.72 s with this.
- **Start-up**: about 220 ms of a no-change run is Node start, oclif and module loading before
  any work. imapflow is loaded through its CommonJS build (~55 ms instead of ~95 ms for its
  ES-module graph); \`--version\` skips oclif, and \`--help\` pages are rendered by oclif at
  build time (dist/help.json) and printed without loading it. Further gains would need a
  bundled build (one file instead of hundreds of modules to resolve) or skipping oclif for
  commands too.
- **Peak RSS**: mailsync needs about 85 MB before any mail moves (Node, oclif, imapflow,
  SQLite). The initial pull and migrate reach 175-200 MB: message Buffers already done with but
  not yet collected (V8 frees a Buffer's memory only when it collects the object, and lets
  external memory grow by tens of MB between collections) plus allocator fragmentation. Fetch
  batches are capped at 1 MiB per connection (8 MiB before this round: about 30 MB more) and
  messages above 4 MiB are streamed, which keeps the 100 MB message under the bar.
`
