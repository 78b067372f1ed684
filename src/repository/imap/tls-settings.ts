// TLS settings of an IMAP repository from its config: ssl / starttls / sslcacertfile /
// cert_fingerprint / tls_level / ssl_version, with the warnings a risky choice deserves.
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import type { RepositoryConfig } from '../../config/index.js'
import { ConfigError, type ConfigLocation } from '../../errors.js'
import { normalizeFingerprint, type ImapTlsOptions, type TlsMode } from './options.js'

function at(cfg: RepositoryConfig, option: string): ConfigLocation {
  const s = cfg.settings[option]
  return { file: s?.file, line: s?.line, section: cfg.fromUrl ? cfg.name : `Repository ${cfg.name}`, option }
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1') return true
  return isIP(h) === 4 && h.startsWith('127.')
}

/** ssl wins; otherwise starttls (default yes when ssl = no); plaintext only with both set to no. */
export function tlsMode(cfg: RepositoryConfig): TlsMode {
  if (cfg.get<boolean>('ssl') !== false) return 'implicit'
  return cfg.get<boolean | undefined>('starttls') === false ? 'none' : 'starttls'
}

export function minTlsVersion(cfg: RepositoryConfig): ImapTlsOptions['minVersion'] {
  const version = cfg.get<string | undefined>('ssl_version')
  if (version === 'tls1_3') return 'TLSv1.3'
  if (version === 'tls1_2') return 'TLSv1.2'
  const level = cfg.get<string | undefined>('tls_level')
  return level === 'tls_compat' || level === 'tls_no_ssl' ? 'TLSv1' : 'TLSv1.2'
}

export function tlsSettings(cfg: RepositoryConfig, warn: (message: string) => void): ImapTlsOptions {
  const mode = tlsMode(cfg)
  const host = cfg.get<string>('remotehost')
  if (mode === 'none' && !isLoopbackHost(host)) {
    warn(`repository ${cfg.name}: ssl = no and starttls = no: the password and all mail travel to ${host} unencrypted`)
  }
  const caFile = cfg.get<string | undefined>('sslcacertfile')
  let ca: Buffer | undefined
  if (caFile && caFile !== 'OS-DEFAULT') {
    try {
      ca = readFileSync(caFile)
    } catch (err) {
      const code = (err as { code?: string }).code
      throw new ConfigError(`cannot read sslcacertfile ${caFile}${code ? ` (${code})` : ''}`, at(cfg, 'sslcacertfile'))
    }
    if (!ca.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) {
      throw new ConfigError(`sslcacertfile ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`, at(cfg, 'sslcacertfile'))
    }
  }
  const fingerprints = (cfg.get<string[] | undefined>('cert_fingerprint') ?? []).map((f) => f.trim()).filter((f) => f !== '')
  for (const fp of fingerprints) {
    const hex = normalizeFingerprint(fp)
    if (/[^0-9a-fA-F:\s]/.test(fp) || ![40, 64, 128].includes(hex.length)) {
      throw new ConfigError(`"${fp}" is not a certificate fingerprint (64 hex digits for SHA-256, colons allowed)`, at(cfg, 'cert_fingerprint'), {
        hint: 'openssl x509 -in CERT -noout -fingerprint -sha256 prints it; a refused connection prints the exact line to add',
      })
    }
    if (hex.length === 40) {
      warn(`repository ${cfg.name}: cert_fingerprint ${fp} is a SHA-1 fingerprint (OfflineIMAP's form); it is accepted, but replace it with the SHA-256 one`)
    }
  }
  if (mode === 'none' && (fingerprints.length || ca)) {
    warn(`repository ${cfg.name}: ssl = no and starttls = no: cert_fingerprint and sslcacertfile are not used`)
  }
  return { mode, ca, fingerprints: fingerprints.length ? fingerprints : undefined, minVersion: minTlsVersion(cfg) }
}
