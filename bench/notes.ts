// The fixed explanation under the generated tables of BENCHMARKS.md.
export const BENCH_NOTES = `## Notes

- Workloads: *initial pull* copies the whole account into an empty Maildir; *no-change* re-runs a
  two-way sync after two settle runs (mailsync stores the folder status seen at the start of a run,
  so the run after one that changed something lists once more); *delta* re-runs after 100 new
  messages and 100 \\\\Flagged toggles made over IMAP on the server (the same changes for every tool);
  *IMAP -> IMAP* copies the account into an empty account of a second Dovecot.
- Durability: mailsync fsyncs every new Maildir file before it is moved into place, as mbsync does
  by default (FSync yes); the status cache is SQLite in WAL mode.
- OfflineIMAP is not run IMAP -> IMAP (it has no comparable one-shot server-to-server copy) nor on
  the large message; on the initial pull it uses its default of one connection.
- Re-run with \`npm run bench -- --disk ext4\` for figures on the root file system (what users see;
  noisy: ext4 writes vary 2-10x from run to run on this kind of machine), \`--quick\` for a smaller
  corpus, \`--messages 100000 --folders 40 --only nochange --skip offlineimap\` for the large
  no-change check.
`
