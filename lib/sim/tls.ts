// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata API first.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// The simulated fleet's own PKI, as a real cluster has: a CA, a serving certificate for 127.0.0.1 and
// localhost, and client certificates for users that authenticate with one. ECDSA P-256 via WebCrypto.
export type CertificateAuthority = { certPem: string; sign: (request: LeafRequest) => Promise<KeyPairPem> };
export type KeyPairPem = { certPem: string; keyPem: string };
type LeafRequest = { commonName: string; usage: 'server' | 'client'; hosts?: string[] };

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const crypto = webcrypto as unknown as Crypto;
const validityMs = 365 * 24 * 3_600_000;

function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function subjectAltNames(hosts: string[]): x509.SubjectAlternativeNameExtension {
  return new x509.SubjectAlternativeNameExtension(hosts.map((host) => (/^[\d.]+$|:/.test(host) ? { type: 'ip' as const, value: host } : { type: 'dns' as const, value: host })));
}

export async function createCertificateAuthority(name: string, now = new Date()): Promise<CertificateAuthority> {
  const keys = (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime() + validityMs);
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serialNumber(),
      name: `CN=${name}`,
      notBefore,
      notAfter,
      keys,
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return {
    certPem: ca.toString('pem'),
    sign: async ({ commonName, usage, hosts = [] }) => {
      const leafKeys = (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
      const certificate = await x509.X509CertificateGenerator.create(
        {
          serialNumber: serialNumber(),
          subject: `CN=${commonName}`,
          issuer: ca.subject,
          notBefore,
          notAfter,
          publicKey: leafKeys.publicKey,
          signingKey: keys.privateKey,
          signingAlgorithm: algorithm,
          extensions: [
            new x509.BasicConstraintsExtension(false, undefined, true),
            new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
            new x509.ExtendedKeyUsageExtension([usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
            await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey, false, crypto),
            ...(hosts.length > 0 ? [subjectAltNames(hosts)] : []),
          ],
        },
        crypto,
      );
      return { certPem: certificate.toString('pem'), keyPem: await exportKeyPem(leafKeys.privateKey) };
    },
  };
}

export function createBearerToken(): string {
  return randomBytes(24).toString('base64url');
}
