// Modified UTF-7 (RFC 3501 section 5.1.3): how IMAP servers without UTF8=ACCEPT, and Dovecot's
// Maildir++ directory names, spell non-ASCII folder names ("Entwürfe" -> "Entw&APw-rfe").
// The corpus uses the product's encoder; test/unit/maildir-spelling.test.ts checks it against
// spellings the real tools wrote.
export { encodeMutf7 } from '../../src/mail/mutf7.js'
