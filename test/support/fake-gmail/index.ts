// A scripted Gmail-like IMAP server for tests: see server.ts for the API, account.ts for the model.
export { startFakeGmail, type FakeGmail, type FakeGmailOptions } from './server.js'
export { GmailAccount, type Folder, type MessageView, type NewMessage, type ExpungeBehavior } from './account.js'
export type { ThrottleRule, ThrottleReply } from './server-context.js'
