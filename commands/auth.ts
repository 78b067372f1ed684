// `mailsync auth ACCOUNT|REPOSITORY`: sign in with OAuth2 (Gmail, Microsoft 365, or a provider
// configured by hand) and keep the refresh token for the runs that follow.
import { Args, Flags } from '@oclif/core'
import { MailsyncCommand } from '../src/cli/base-command.js'
import { describeWithExitCodes } from '../src/cli/help-text.js'
import { openBrowser } from '../src/cli/open-browser.js'
import { signIn } from '../src/credentials/oauth2-sign-in.js'

export default class AuthCommand extends MailsyncCommand {
  static override summary = 'Sign in with OAuth2 (Gmail, Microsoft 365) and keep the refresh token for later runs'
  static override description = describeWithExitCodes(
    `Runs the OAuth2 sign-in for the account's IMAP repository (or the repository named): the authorization code flow with PKCE, whose consent page opens in your browser (xdg-open) and is always printed, so it can be opened by hand; the provider sends the browser back to a listener on 127.0.0.1 (a random port, or --port). With --device, the device flow instead (RFC 8628): it prints a URL and a code to enter on any other device, and waits. The provider comes from oauth2_provider, or from the type or host (Gmail, outlook.office365.com); oauth2_client_id (and for Google oauth2_client_secret) must name an app you registered with it. The refresh token is stored in the state directory (STATE/oauth2/REPOSITORY.refresh-token, mode 0600) or handed on stdin to oauth2_refresh_token_store_cmd; it is never printed. Later runs use it for XOAUTH2/OAUTHBEARER logins. A refused consent, an answer with a wrong state, an expired device code or a refusing token endpoint end with one line and exit 77, and leave a token stored before untouched. See docs/oauth2.md.`,
  )
  static override args = {
    target: Args.string({ required: true, description: 'The account (its remote repository signs in), or an IMAP [Repository] name or URL.' }),
  }
  static override flags = {
    device: Flags.boolean({ default: false, description: 'Use the device flow: enter a code on another device (for machines without a browser; Microsoft 365).' }),
    browser: Flags.boolean({ default: true, allowNo: true, description: 'Open the consent page with xdg-open (--no-browser: only print its URL).' }),
    port: Flags.integer({ min: 1, max: 65535, helpValue: 'PORT', description: 'Listen for the redirect on this port of 127.0.0.1 (e.g. to forward it over ssh -L); default: a random free port.' }),
    timeout: Flags.integer({ min: 1, default: 300, helpValue: 'SECONDS', description: 'How long to wait for the browser to come back.' }),
  }
  static override examples = [
    { description: 'Sign in to the Gmail account work (opens the browser)', command: '<%= config.bin %> <%= command.id %> work' },
    { description: 'On a server without a browser: a code to enter on your phone', command: '<%= config.bin %> <%= command.id %> office --device' },
    { description: 'Over ssh: forward the port, open the printed URL on your laptop', command: '<%= config.bin %> <%= command.id %> work --no-browser --port 8765' },
  ]

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AuthCommand)
    this.useGlobalFlags(flags)
    const config = await this.loadConfig({ required: false })
    const json = this.globals.json
    const event = (e: Record<string, unknown>) => void process.stdout.write(JSON.stringify(e) + '\n')
    const say = (line: string) => void process.stderr.write(`${line}\n`)
    const result = await signIn({
      config, target: args.target, device: flags.device, port: flags.port, timeoutSeconds: flags.timeout,
      showUrl: (url) => {
        const opened = flags.browser && openBrowser(url)
        if (json) return event({ type: 'auth-url', url, browser: opened })
        say(`${opened ? 'Your browser should open the sign-in page. If it does not, open' : 'Open'} this URL in a browser on this machine:\n\n  ${url}\n\nWaiting for the sign-in (${flags.timeout} s)...`)
      },
      showDeviceCode: (d) => {
        if (json) return event({ type: 'auth-device', verification_uri: d.verificationUri, user_code: d.userCode, verification_uri_complete: d.verificationUriComplete, expires_in: d.expiresInS })
        say(`On any device, open ${d.verificationUri} and enter the code ${d.userCode}${d.verificationUriComplete ? ` (or open ${d.verificationUriComplete})` : ''}.\nWaiting for the sign-in (the code is valid ${Math.round(d.expiresInS / 60)} min)...`)
      },
    })
    const where = 'file' in result.storedIn ? `${result.storedIn.file} (mode 0600)` : `\`${result.storedIn.command}\``
    if (json) event({ type: 'auth-done', repository: result.repository, provider: result.provider, ...result.storedIn })
    else if (!this.globals.quiet) say(`Signed in: repository ${result.repository}'s refresh token was stored in ${where}.`)
  }
}
