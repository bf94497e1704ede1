import { isIP } from 'node:net';

export interface RedisAddress {
  readonly host: string;
  readonly port: number;
}

/** For the cluster and Sentinel topologies; a REDIS_URL carries its own. */
export interface RedisCredentials {
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
}

/** The one Redis topology chime connects to (SPEC 6, SPEC 8). */
export type RedisTopology =
  | { readonly kind: 'single'; readonly url: string }
  | ({ readonly kind: 'cluster'; readonly nodes: RedisAddress[] } & RedisCredentials)
  | ({
      readonly kind: 'sentinel';
      readonly sentinels: RedisAddress[];
      readonly masterName: string;
    } & RedisCredentials);

/** The variables that choose and reach the topology, as validateEnvironment has them. */
export interface RedisTopologyVariables {
  REDIS_URL: string;
  REDIS_CLUSTER_NODES?: string;
  REDIS_SENTINELS?: string;
  REDIS_SENTINEL_MASTER?: string;
  REDIS_USERNAME?: string;
  REDIS_PASSWORD?: string;
  REDIS_TLS: boolean;
}

const LISTS = ['REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'] as const;
const URL_CARRIES_ITS_OWN = ['REDIS_USERNAME', 'REDIS_PASSWORD', 'REDIS_TLS'] as const;

/**
 * What is wrong with the topology variables, each naming the variable(s): exactly one
 * topology, REDIS_URL (the default) unless another is set; lists of host:port.
 * `urlIsExplicit` says whether REDIS_URL was set rather than defaulted.
 */
export function redisTopologyProblems(
  variables: RedisTopologyVariables,
  urlIsExplicit: boolean,
): string[] {
  const { REDIS_CLUSTER_NODES: cluster, REDIS_SENTINELS: sentinels } = variables;
  const problems = LISTS.flatMap((name) => badList(name, variables[name]));
  if (cluster !== undefined && sentinels !== undefined) {
    problems.push('REDIS_CLUSTER_NODES and REDIS_SENTINELS are both set: choose one topology');
  }
  if (urlIsExplicit && (cluster !== undefined || sentinels !== undefined)) {
    const other = cluster !== undefined ? 'REDIS_CLUSTER_NODES' : 'REDIS_SENTINELS';
    problems.push(`REDIS_URL and ${other} are both set: choose one topology (unset REDIS_URL)`);
  }
  problems.push(...sentinelMasterProblems(variables));
  if (cluster === undefined && sentinels === undefined)
    problems.push(...urlOwnsCredentials(variables));
  return problems;
}

function sentinelMasterProblems(variables: RedisTopologyVariables): string[] {
  const hasSentinels = variables.REDIS_SENTINELS !== undefined;
  const hasMaster = variables.REDIS_SENTINEL_MASTER !== undefined;
  if (hasSentinels && !hasMaster) {
    return ['REDIS_SENTINEL_MASTER must be set with REDIS_SENTINELS: the name they monitor'];
  }
  if (hasMaster && !hasSentinels) return ['REDIS_SENTINEL_MASTER is set without REDIS_SENTINELS'];
  return [];
}

/** Silently ignoring a password that was meant for the URL's server would be worse. */
function urlOwnsCredentials(variables: RedisTopologyVariables): string[] {
  return URL_CARRIES_ITS_OWN.filter((name) =>
    name === 'REDIS_TLS' ? variables.REDIS_TLS === true : variables[name] !== undefined,
  ).map(
    (name) =>
      `${name} applies to REDIS_CLUSTER_NODES or REDIS_SENTINELS; REDIS_URL carries its own ` +
      '(redis://user:password@host:port, rediss:// for TLS)',
  );
}

function badList(name: string, value: string | undefined): string[] {
  if (value === undefined) return [];
  const entries = listEntries(value);
  const bad = entries.filter((entry) => parseAddress(entry) === undefined);
  if (entries.length > 0 && bad.length === 0) return [];
  const not = bad.length > 0 ? `; not ${bad.join(', ')}` : '';
  return [`${name} must be comma-separated host:port (or [ipv6]:port)${not}`];
}

function listEntries(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

const HOSTNAME =
  /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*$/;

/** `host:port`, `ipv4:port` or `[ipv6]:port`; undefined for anything else. */
export function parseAddress(entry: string): RedisAddress | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(entry);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  if (match[1] !== undefined) return isIP(match[1]) === 6 ? { host: match[1], port } : undefined;
  const host = match[2];
  return isIP(host) === 4 || HOSTNAME.test(host) ? { host, port } : undefined;
}

/** The addresses of a list that redisTopologyProblems accepted. */
export function addressList(value: string): RedisAddress[] {
  return listEntries(value).map((entry) => parseAddress(entry)!);
}

/** The topology of variables that redisTopologyProblems found nothing wrong with. */
export function redisTopology(variables: RedisTopologyVariables): RedisTopology {
  const credentials: RedisCredentials = {
    username: variables.REDIS_USERNAME,
    password: variables.REDIS_PASSWORD,
    tls: variables.REDIS_TLS,
  };
  if (variables.REDIS_CLUSTER_NODES !== undefined) {
    return { kind: 'cluster', nodes: addressList(variables.REDIS_CLUSTER_NODES), ...credentials };
  }
  if (variables.REDIS_SENTINELS !== undefined) {
    return {
      kind: 'sentinel',
      sentinels: addressList(variables.REDIS_SENTINELS),
      masterName: variables.REDIS_SENTINEL_MASTER ?? '',
      ...credentials,
    };
  }
  return { kind: 'single', url: variables.REDIS_URL };
}
