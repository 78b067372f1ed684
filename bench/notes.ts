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
  mailsync writes each file into tmp/, and per group of 64 messages fsyncs the group's files,
  renames them into cur/, fsyncs cur/, then commits the group to its status cache (SQLite, WAL,
  synchronous=NORMAL; each group's intents are committed before its first append). No file
  reaches cur/ before its fsync. Nothing was relaxed for speed.
- mailsync is run as users run it: the \`bin/run.js\` binary through its first line (which
  sets glibc's malloc arenas and mmap threshold for the process; see bin/run.js).
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
- COMPRESS=DEFLATE (measured by hand, Dovecot with imap_zlib): on loopback the 10,000-message
  pull took 7.1-7.5 s with it and 3.3 s without, so \`compression = auto\` (the default) leaves it
  off for a loopback server. Through \`node dist/bench/throttle-proxy.js PORT SERVERPORT 50\` (a
  50 Mbit/s link each way) the INBOX alone (2,360 messages, 63 MB) took 6.8-7.0 s with it and
  10.8 s without, so it stays on for other servers.

## What stands in the way (profiled with \`node --cpu-prof\`)

- **Initial pull and migrate** are CPU-bound on the one JavaScript thread (this machine has 2
  cores, shared with one or two Dovecots): the 10,000-message pull costs mailsync about 4 s of
  CPU (user + system), mbsync about 0.6 s. The profile is flat: imapflow's response parser
  (tokenizer, literal copies), garbage collection, SHA-256 of every body (the fingerprint that
  makes crash recovery adopt instead of duplicate), the system calls of the Maildir delivery, and
  for migrate imapflow's APPEND (one command in flight per connection) and loopback socket
  writes. Even imapflow alone, fetching every body and discarding it, takes 1.3-1.5 s here
  (lab notes), twice mbsync's whole pull: closing the gap needs a FETCH/APPEND path that moves
  literals between socket and file without imapflow's message objects, or parsing on more cores.
  Done in this round: a message is written with synchronous calls and the files of a group of 64
  are fsynced together (a write or fsync handed to the thread pool per message cost more than the
  write, the pool thread's wake-up competing with Dovecot for the cores), cur/ is fsynced once
  per group, the fingerprint no longer copies each body's header, and the next fetch batch is
  requested while the current one is handled (hides a round trip per batch on real networks).
- **Re-sync after changes**: a changed IMAP folder is read as the status cache plus
  \`CHANGEDSINCE\`/\`VANISHED\` (QRESYNC); a Maildir folder whose directories did not change is
  taken from the status cache. The Maildir side the previous run wrote to is listed (readdir:
  file names carry UID and flags; sizes and dates come from the records, no stat per file; one
  scan per folder, not two), records are read as raw rows, and unchanged flags skip the
  three-way merge. Together with the start-up work below: 0.72 s -> 0.47 s.
- **Start-up**: commands run from one esbuild bundle (dist/mailsync.cjs: our code, oclif,
  imapflow) loaded with a V8 code cache; a no-change run on the 10,000 corpus went from ~0.30 s to
  ~0.16 s. Where the server offers LIST-STATUS, one request gives every folder's status, so a
  no-change run opens one connection (it opened maxconnections). What remains of a no-change
  run is mostly Node itself (\`node -e 0\` takes ~50 ms here) and loading/initialising ~1.5 MB
  of JavaScript (~60 ms); the work proper is ~30 ms even for 100,000 messages in 40 folders.
  That floor is why 0.5x mbsync (~90 ms) on the large corpus is out of reach for a Node program:
  mailsync is at about mbsync's time there, not half of it.
- **Peak RSS**: about 75 MB before any mail moves (Node's own ~45 MB of mapped binary included).
  A pull or migrate reached 165-200 MB: V8 grew its young generation to 16 MB semi-spaces and
  message Buffers already done with waited for the next scavenge, and glibc kept freed buffers
  as holes in its heap. bin/run.js now keeps the young generation at its starting size and
  (first line) runs glibc with two arenas and large buffers in their own mappings: 120-140 MB,
  for ~9% more CPU time in the pull. Fetch batches are capped at 1 MiB per connection and
  messages above 4 MiB are streamed, which keeps the 100 MB message far under the bar.
`
