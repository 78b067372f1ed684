// POSTs a form to an OAuth2 endpoint (token or device authorization) and reads its JSON answer.
// What reaches a message from an answer is only its error code (`invalid_grant`, ...) and a
// Microsoft AADSTS number: never a token, a code or the client secret, and not the free-text
// error_description either (it may quote the request).
import { MailsyncError } from '../errors.js'

export interface EndpointAnswer {
  status: number
  ok: boolean
  json: Record<string, unknown>
}

const DEFAULT_TIMEOUT_MS = 30_000

export async function postForm(url: string, form: Record<string, string | undefined>, ctx: { repository: string; endpoint: string; hint?: string; timeoutMs?: number }): Promise<EndpointAnswer> {
  const body = new URLSearchParams()
  for (const [k, v] of Object.entries(form)) if (v !== undefined) body.set(k, v)
  let res: Response
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
      signal: AbortSignal.timeout(ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    })
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name
    throw new MailsyncError('network', `repository ${ctx.repository}: cannot reach the OAuth2 ${ctx.endpoint} ${url} (${cause})`, { hint: ctx.hint ?? 'check the endpoint URL and the network' })
  }
  const text = await res.text()
  let json: Record<string, unknown> = {}
  try {
    const parsed = JSON.parse(text) as unknown
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Record<string, unknown>
  } catch {
    json = {}
  }
  return { status: res.status, ok: res.ok, json }
}

/** The answer's `error` code when it is a plain word (anything else is not shown). */
export function errorCode(json: Record<string, unknown>): string | undefined {
  return typeof json.error === 'string' && /^[\w.-]{1,64}$/.test(json.error) ? json.error : undefined
}

/** ` invalid_grant`, ` invalid_grant AADSTS70008`, or '' : what a message may say of an error answer. */
export function errorWords(json: Record<string, unknown>): string {
  const code = errorCode(json)
  const aadsts = typeof json.error_description === 'string' ? /\bAADSTS\d{4,6}\b/.exec(json.error_description)?.[0] : undefined
  return [code, aadsts].filter(Boolean).map((w) => ` ${w}`).join('')
}

/** The error kind of a refused request: 4xx is the grant or client (auth), 5xx and odd answers the server. */
export function refusalKind(status: number, ok: boolean): 'auth' | 'server' {
  if (ok) return 'server'
  return status >= 400 && status < 500 ? 'auth' : 'server'
}

/** A string field of the answer, or undefined. */
export function stringField(json: Record<string, unknown>, name: string): string | undefined {
  const v = json[name]
  return typeof v === 'string' && v !== '' ? v : undefined
}

/** A number of seconds (a JSON number or a digit string), or undefined. */
export function secondsField(json: Record<string, unknown>, name: string): number | undefined {
  const v = json[name]
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v)
  return undefined
}
