import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// AES-256-GCM: a fresh 96-bit IV per value, the 128-bit tag authenticates it. Stored as
// "enc:v1:<iv>.<tag>.<ciphertext>" (base64url) so a plaintext value from before is told apart.
const prefix = 'enc:v1:';

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

export type SecretBox = { seal: (plaintext: string) => string; open: (value: string) => string; isSealed: (value: string) => boolean };

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new SecretBoxError('the secret key must be 32 bytes');
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${prefix}${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${ciphertext.toString('base64url')}`;
    },
    open(value) {
      if (!value.startsWith(prefix)) return value;
      const [iv, tag, ciphertext] = value.slice(prefix.length).split('.');
      if (iv === undefined || tag === undefined || ciphertext === undefined) throw new SecretBoxError('a stored secret is malformed');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('a stored secret cannot be decrypted: LEASETRAIL_SECRET_KEY is not the key it was written with');
      }
    },
    isSealed: (value) => value.startsWith(prefix),
  };
}
