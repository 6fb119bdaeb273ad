import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getEnv } from '../env';
import { createSecretBox, type SecretBox } from './secret-box';

// The key comes from LEASETRAIL_SECRET_KEY, or is generated once into the data folder (mode 0600)
// for the embedded default, so `npm start` needs no configuration.
export function loadSecretKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return Buffer.from(configured, 'base64');
  const file = path.join(dataDir, 'secret.key');
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    throw error;
  }
}

const globalForBox = globalThis as unknown as { leasetrailSecretBox?: SecretBox };

export function getSecretBox(): SecretBox {
  if (!globalForBox.leasetrailSecretBox) {
    const env = getEnv();
    globalForBox.leasetrailSecretBox = createSecretBox(loadSecretKey(env.LEASETRAIL_SECRET_KEY, env.dataDir));
  }
  return globalForBox.leasetrailSecretBox;
}
