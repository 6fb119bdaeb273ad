import dns from 'node:dns';
import net from 'node:net';
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

// IPv4 hidden in IPv6: ::ffff:a.b.c.d (mapped) and 64:ff9b::a.b.c.d (NAT64) reach the IPv4 host.
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const match = /^(?:::ffff:|64:ff9b::)(.+)$/.exec(lower);
  if (!match) return null;
  const rest = match[1]!;
  if (net.isIPv4(rest)) return rest;
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(rest);
  if (!hex) return null;
  const high = parseInt(hex[1]!, 16);
  const low = parseInt(hex[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
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
  const inner = embeddedIpv4(bare);
  if (inner) return rangeReason(inner, 'ipv4');
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
