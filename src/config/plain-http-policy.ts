import net from 'node:net';

/** Where a base URL's host lies, as far as its name or address tells. */
export type HostKind = 'loopback' | 'private' | 'link-local' | 'local name' | 'public';

const RANGES: Array<[HostKind, string, number, 'ipv4' | 'ipv6']> = [
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['loopback', '::1', 128, 'ipv6'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['private', 'fc00::', 7, 'ipv6'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['link-local', 'fe80::', 10, 'ipv6'],
];
const BLOCKS = new Map<HostKind, net.BlockList>();
for (const [kind, address, prefix, family] of RANGES) {
  if (!BLOCKS.has(kind)) BLOCKS.set(kind, new net.BlockList());
  BLOCKS.get(kind)!.addSubnet(address, prefix, family);
}

/**
 * Names that public DNS never resolves: `localhost` (RFC 6761), `.internal` (reserved for private
 * use, Docker's host.docker.internal), `.local` (mDNS, Kubernetes' svc.cluster.local), `.home.arpa`
 * (RFC 8375), `.lan`, and a name without a dot (a container or service name on a local network).
 */
const LOCAL_NAME = /(^|\.)(localhost|internal|local|home\.arpa|lan)$|^[^.]+$/i;

export function hostKind(hostname: string): HostKind {
  const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const family = net.isIP(host);
  if (family === 0) return /^localhost$/i.test(host) ? 'loopback' : LOCAL_NAME.test(host) ? 'local name' : 'public';
  for (const [kind, block] of BLOCKS) if (block.check(host, family === 4 ? 'ipv4' : 'ipv6')) return kind;
  return 'public';
}

export interface PlainHttpVerdict {
  allowed: boolean;
  /** Set when plain http is allowed to a host whose traffic can leave this machine. */
  warning?: string;
}

/**
 * Basic auth puts the key and secret on the wire in clear. Over plain http they
 * may only go where no public network carries them: this machine, a private or
 * link-local address, a name public DNS never resolves (a sandbox in Docker or
 * in Airbyte OSS's kind cluster); or anywhere when Airbyte says the connector runs
 * in a self-managed deployment (DEPLOYMENT_MODE set, and not CLOUD), whose
 * operator owns the network. Without DEPLOYMENT_MODE (a run by hand) a public
 * host still needs https: nobody has said the network is theirs.
 */
export function plainHttpVerdict(hostname: string, env: NodeJS.ProcessEnv): PlainHttpVerdict {
  const kind = hostKind(hostname);
  if (kind === 'loopback') return { allowed: true };
  const why = `the API key and secret travel unencrypted to ${hostname}`;
  if (kind !== 'public') {
    return { allowed: true, warning: `base_url uses plain http to a ${kind} host: ${why}; use https unless this network is yours.` };
  }
  const mode = env.DEPLOYMENT_MODE?.trim();
  if (mode && mode.toUpperCase() !== 'CLOUD') {
    return {
      allowed: true,
      warning: `base_url uses plain http to the public host ${hostname}, allowed because DEPLOYMENT_MODE is ${mode}: ${why}; use https.`,
    };
  }
  return { allowed: false };
}
