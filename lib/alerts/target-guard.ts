import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { ValidationError } from '../errors';

export type ResolvedAddress = { address: string; family: number };

export type Resolve = (hostname: string) => Promise<ResolvedAddress[]>;

export type TargetPolicy = { allowPrivateTargets: boolean; resolve?: Resolve };

export class TargetRefusedError extends Error {
  override name = 'TargetRefusedError';
}

// Cloud instance-metadata services hand out credentials to whoever asks from the machine: a webhook
// URL must not become a way to make Leasetrail ask. Link-local covers AWS, GCP, Azure, DigitalOcean,
// OpenStack and Oracle (169.254.169.254), ECS task metadata (169.254.170.2) and IPv6 link-local.
// Loopback and private ranges stay allowed: receivers on this machine and in-cluster Alertmanagers live there.
const blockedRanges: Array<{ network: string; prefix: number; family: 'ipv4' | 'ipv6'; reason: string }> = [
  { network: '169.254.0.0', prefix: 16, family: 'ipv4', reason: 'link-local (cloud instance metadata)' },
  { network: '100.100.100.200', prefix: 32, family: 'ipv4', reason: 'Alibaba Cloud instance metadata' },
  { network: '168.63.129.16', prefix: 32, family: 'ipv4', reason: 'Azure platform endpoint (WireServer)' },
  { network: '192.0.0.192', prefix: 32, family: 'ipv4', reason: 'Oracle Cloud instance metadata' },
  { network: '0.0.0.0', prefix: 8, family: 'ipv4', reason: '"this network" (0.0.0.0/8) is not a destination' },
  { network: 'fe80::', prefix: 10, family: 'ipv6', reason: 'IPv6 link-local' },
  { network: 'fd00:ec2::254', prefix: 128, family: 'ipv6', reason: 'AWS instance metadata over IPv6' },
];

const blockedHostnames = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.tencentyun.com',
  'metadata.platformequinix.com',
]);

const blockList = new net.BlockList();
for (const range of blockedRanges) blockList.addSubnet(range.network, range.prefix, range.family);

function ipv4At(bytes: number[], offset: number, xor = 0): string {
  return [0, 1, 2, 3].map((index) => (bytes[offset + index]! ^ xor) & 255).join('.');
}

function isZero(bytes: number[], from: number, to: number): boolean {
  return bytes.slice(from, to).every((byte) => byte === 0);
}

// Every way an IPv6 address can carry an IPv4 one that a gateway, a tunnel or the kernel will reach:
// mapped (::ffff:0:0/96), translated (::ffff:0:0:0/96), compatible (::/96), NAT64 (64:ff9b::/96 and
// the local-use 64:ff9b:1::/48 at each RFC 6052 position), 6to4 (2002::/16), Teredo (2001::/32,
// server and obfuscated client) and ISATAP interface ids.
export function embeddedIpv4s(address: string): string[] {
  if (!ipaddr.IPv6.isValid(address)) return [];
  const bytes = ipaddr.IPv6.parse(address).toByteArray();
  const found: string[] = [];
  const word = (index: number) => (bytes[index * 2]! << 8) | bytes[index * 2 + 1]!;
  if (isZero(bytes, 0, 10) && word(5) === 0xffff) found.push(ipv4At(bytes, 12));
  if (isZero(bytes, 0, 8) && word(4) === 0xffff && word(5) === 0) found.push(ipv4At(bytes, 12));
  if (isZero(bytes, 0, 12) && !isZero(bytes, 12, 15)) found.push(ipv4At(bytes, 12));
  if (word(0) === 0x64 && word(1) === 0xff9b && isZero(bytes, 4, 12)) found.push(ipv4At(bytes, 12));
  if (word(0) === 0x64 && word(1) === 0xff9b && word(2) === 1) {
    // RFC 6052 section 2.2: bits 64..71 are skipped, so the IPv4 address may straddle them.
    const skipU = (offsets: number[]) => offsets.map((offset) => bytes[offset]!).join('.');
    found.push(ipv4At(bytes, 12), skipU([6, 7, 9, 10]), skipU([7, 9, 10, 11]), skipU([9, 10, 11, 12]));
  }
  if (word(0) === 0x2002) found.push(ipv4At(bytes, 2));
  if (word(0) === 0x2001 && word(1) === 0) found.push(ipv4At(bytes, 4), ipv4At(bytes, 12, 0xff));
  if ((word(4) & 0xfdff) === 0 && word(5) === 0x5efe) found.push(ipv4At(bytes, 12));
  return [...new Set(found)];
}

function rangeReason(address: string, family: 'ipv4' | 'ipv6'): string | null {
  if (!blockList.check(address, family)) return null;
  const match = blockedRanges.find((range) => {
    if (range.family !== family) return false;
    const single = new net.BlockList();
    single.addSubnet(range.network, range.prefix, range.family);
    return single.check(address, family);
  });
  return match?.reason ?? 'a refused range';
}

// Why an address is refused, or null when it may be targeted.
export function refusalReason(address: string): string | null {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (net.isIPv4(bare)) return rangeReason(bare, 'ipv4');
  if (!net.isIPv6(bare)) return null;
  for (const inner of embeddedIpv4s(bare)) {
    const reason = rangeReason(inner, 'ipv4');
    if (reason) return `${reason}, embedded in IPv6 as ${inner}`;
  }
  return rangeReason(bare, 'ipv6');
}

export function normalizeHostname(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

export function hostnameRefusal(hostname: string): string | null {
  const host = normalizeHostname(hostname);
  if (blockedHostnames.has(host)) return `${host} is a cloud instance-metadata name`;
  return net.isIP(host) ? refusalReason(host) : null;
}

const systemResolve: Resolve = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

function refusedMessage(target: string, reason: string): string {
  return `refusing to send to ${target}: ${reason}; set allowPrivateTargets on the channel to allow it`;
}

// Checks a URL before it is saved or used: the name itself, then every address it resolves to.
export async function assertTargetAllowed(url: URL, policy: TargetPolicy): Promise<void> {
  if (policy.allowPrivateTargets) return;
  const host = normalizeHostname(url.hostname);
  const byName = hostnameRefusal(host);
  if (byName) throw new TargetRefusedError(refusedMessage(host, byName));
  if (net.isIP(host)) return;
  const addresses = await (policy.resolve ?? systemResolve)(host);
  for (const { address } of addresses) {
    const reason = refusalReason(address);
    if (reason) throw new TargetRefusedError(refusedMessage(`${host} (${address})`, reason));
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

// The connection uses exactly the addresses checked here, so a name that resolves to a harmless
// address when saved and to a metadata address when used (DNS rebinding) is still refused.
export function createGuardedLookup(policy: TargetPolicy): (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => void {
  return (hostname, options, callback) => {
    const byName = policy.allowPrivateTargets ? null : hostnameRefusal(hostname);
    if (byName) return callback(new TargetRefusedError(refusedMessage(hostname, byName)), '', 0);
    (policy.resolve ?? systemResolve)(hostname).then(
      (addresses) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const usable = addresses.filter((entry) => !family || entry.family === family);
        const refused = policy.allowPrivateTargets ? undefined : usable.find((entry) => refusalReason(entry.address) !== null);
        if (refused) return callback(new TargetRefusedError(refusedMessage(`${hostname} (${refused.address})`, refusalReason(refused.address)!)), '', 0);
        if (usable.length === 0) return callback(Object.assign(new Error(`${hostname} does not resolve`), { code: 'ENOTFOUND' }), '', 0);
        if (options.all) return callback(null, usable);
        callback(null, usable[0]!.address, usable[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

// A channel is checked when it is saved, so a refused target is a 400 then and not a failure later;
// it is checked again on every send (createGuardedLookup).
export async function assertChannelTargetAllowed(config: { url: string; allowPrivateTargets: boolean }, resolve?: Resolve): Promise<void> {
  const url = new URL(config.url);
  try {
    await assertTargetAllowed(url, { allowPrivateTargets: config.allowPrivateTargets, resolve });
  } catch (error) {
    if (error instanceof TargetRefusedError) throw new ValidationError(`invalid config.url: ${error.message}`, [{ path: 'config.url', message: error.message }]);
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'the host name does not resolve' : (error as Error).message;
    throw new ValidationError(`invalid config.url: cannot resolve ${url.hostname}: ${reason}`, [{ path: 'config.url', message: reason }]);
  }
}
