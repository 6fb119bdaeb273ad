import net from 'node:net';
import type { AuthConfig } from './auth-config';
import type { Identity } from './identity';
import { roleFromGroups } from './roles';

// Set by Leasetrail's own HTTP server from the socket (any client-sent value is dropped first).
export const peerHeader = 'x-leasetrail-peer';

export function buildTrustedList(entries: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const family = net.isIPv6(address) ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

function isTrustedPeer(peer: string, list: net.BlockList): boolean {
  const bare = peer.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  const family = net.isIPv6(bare) ? 'ipv6' : net.isIPv4(bare) ? 'ipv4' : null;
  return family !== null && list.check(bare, family);
}

export type ProxyVerdict = { identity: Identity } | { refusal: string } | null;

// The user header is believed only from a configured proxy; without it, the request is anonymous.
export function identifyFromProxy(headers: Headers, config: AuthConfig, trusted: net.BlockList): ProxyVerdict {
  const user = headers.get(config.proxy.userHeader)?.trim();
  if (!user) return null;
  const peer = headers.get(peerHeader);
  if (!peer || !isTrustedPeer(peer, trusted)) return { refusal: `${config.proxy.userHeader} is accepted only from the trusted proxies` };
  const groups = (headers.get(config.proxy.groupsHeader) ?? '')
    .split(',')
    .map((group) => group.trim())
    .filter((group) => group !== '');
  const role = roleFromGroups(groups, config.roleMapping);
  if (!role) return { refusal: `${user} is in no group that grants a Leasetrail role` };
  return { identity: { name: user.slice(0, 200), role, source: 'proxy', groups } };
}
