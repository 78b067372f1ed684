// The server certificate's SHA-256 fingerprint, for `mailsync info`: looked at without trusting
// it and without sending anything but (for STARTTLS) the STARTTLS command.
import { colonFingerprint, defaultPort, type TlsMode } from './options.js'
import { probeServerCertificate } from './tls-probe.js'

/** `AB:CD:...`, or undefined for a repository without TLS. Rejects when the server cannot be reached. */
export async function serverCertificateFingerprint(t: { host: string; port?: number; mode: TlsMode; timeoutMs?: number }): Promise<string | undefined> {
  if (t.mode === 'none') return undefined
  const cert = await probeServerCertificate({ host: t.host, port: t.port ?? defaultPort(t.mode), mode: t.mode, timeoutMs: t.timeoutMs })
  return colonFingerprint(cert.fingerprint256)
}
