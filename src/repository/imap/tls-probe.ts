// Looks at the server's certificate without trusting it: to pin a fingerprint before any
// credentials are sent, and to tell the user which fingerprint a refused certificate has.
import { connect as netConnect, isIP, type Socket } from 'node:net'
import { connect as tlsConnect, type DetailedPeerCertificate, type TLSSocket } from 'node:tls'
import { X509Certificate, createHash } from 'node:crypto'
import type { TlsMode } from './options.js'

export interface ServerCertificate {
  /** SHA-256 of the leaf certificate, lower-case hex without colons. */
  fingerprint256: string
  /** PEM of every certificate the server sent, leaf first. */
  chainPem: string[]
  /** DER bytes of the leaf certificate. */
  der: Buffer
}

export interface ProbeTarget {
  host: string
  port: number
  mode: Exclude<TlsMode, 'none'>
  timeoutMs?: number
}

export async function probeServerCertificate(t: ProbeTarget): Promise<ServerCertificate> {
  const timeoutMs = t.timeoutMs ?? 30_000
  const plain = t.mode === 'starttls' ? await startTlsSocket(t.host, t.port, timeoutMs) : undefined
  return new Promise((resolve, reject) => {
    const servername = isIP(t.host) ? undefined : t.host
    const sock: TLSSocket = tlsConnect({
      ...(plain ? { socket: plain } : { host: t.host, port: t.port }),
      ...(servername ? { servername } : {}),
      rejectUnauthorized: false,
    })
    sock.setTimeout(timeoutMs, () => sock.destroy(Object.assign(new Error('TLS probe timed out'), { code: 'ETIMEDOUT' })))
    sock.once('error', reject)
    sock.once('secureConnect', () => {
      try {
        resolve(describeChain(sock.getPeerCertificate(true)))
      } catch (err) {
        reject(err)
      } finally {
        sock.destroy()
      }
    })
  })
}

function describeChain(leaf: DetailedPeerCertificate): ServerCertificate {
  if (!leaf || !leaf.raw) throw Object.assign(new Error('server sent no certificate'), { code: 'ERR_TLS_NO_CERT' })
  const chainPem: string[] = []
  const seen = new Set<string>()
  for (let c: DetailedPeerCertificate | undefined = leaf; c && c.raw; c = c.issuerCertificate) {
    if (seen.has(c.fingerprint256)) break
    seen.add(c.fingerprint256)
    chainPem.push(new X509Certificate(c.raw).toString())
  }
  return { fingerprint256: leaf.fingerprint256.replace(/:/g, '').toLowerCase(), chainPem, der: leaf.raw }
}

/** Plain connection, greeting, `STARTTLS`, tagged OK: the socket is ready for the TLS handshake. */
function startTlsSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = netConnect({ host, port })
    let buf = ''
    let greeted = false
    const fail = (err: Error): void => {
      sock.destroy()
      reject(err)
    }
    sock.setTimeout(timeoutMs, () => fail(Object.assign(new Error('STARTTLS probe timed out'), { code: 'ETIMEDOUT' })))
    sock.once('error', fail)
    const onData = (d: Buffer): void => {
      buf += d.toString('latin1')
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 2)
        if (!greeted) {
          greeted = true
          if (!/^\* (OK|PREAUTH)/i.test(line)) return fail(new Error(`unexpected greeting: ${line.slice(0, 200)}`))
          sock.write('P1 STARTTLS\r\n')
        } else if (line.startsWith('P1 ')) {
          sock.off('data', onData)
          sock.setTimeout(0)
          sock.removeListener('error', fail)
          if (!/^P1 OK/i.test(line)) {
            return fail(Object.assign(new Error(`server refused STARTTLS: ${line.slice(0, 200)}`), { tlsFailed: true }))
          }
          return resolve(sock)
        }
      }
    }
    sock.on('data', onData)
  })
}

/**
 * Whether a certificate (DER) matches one of the pinned fingerprints. Pins are SHA-256 hex; SHA-1
 * (40 digits) and SHA-512 (128 digits) pins are accepted too, as offlineimap configs carry them.
 */
export function matchesPin(der: Buffer, pins: readonly string[]): boolean {
  for (const pin of pins) {
    const algo = pin.length === 40 ? 'sha1' : pin.length === 128 ? 'sha512' : pin.length === 64 ? 'sha256' : undefined
    if (algo && createHash(algo).update(der).digest('hex') === pin) return true
  }
  return false
}
