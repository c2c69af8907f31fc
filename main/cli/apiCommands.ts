/**
 * CLI commands of the AWS-compatible endpoint: `serve` (the endpoint in the foreground, with the
 * rotation scheduler), the credential_process document, credential rotation, and a ready
 * ~/.aws/config profile. Vault modules are imported only when a command runs.
 */
import { isAbsolute, resolve } from 'node:path';
import { ValidationException } from '../core/errors.js';
import type { CommandSpec, ParsedFlags, StandaloneContext } from './commandSpec.js';

export const DEFAULT_API_PORT = 9631;
const HOSTS = ['127.0.0.1', '::1', 'localhost'] as const;

const portFlag = { name: 'port', kind: 'integer', value: 'N', help: `TCP port, 0 for any free one (default ${DEFAULT_API_PORT}).` } as const;
const regionFlag = {
  name: 'region',
  kind: 'text',
  value: 'REGION',
  help: 'The region the endpoint reports and signatures are scoped to (default us-east-1).',
} as const;

function port(flags: ParsedFlags): number {
  const p = flags.integer('port') ?? DEFAULT_API_PORT;
  if (p < 0 || p > 65535) throw new ValidationException(`--port must be 0 to 65535; got ${p}.`);
  return p;
}

async function region(flags: ParsedFlags): Promise<string> {
  const { DEFAULT_API_REGION } = await import('../api/awsNames.js');
  const r = flags.text('region') ?? DEFAULT_API_REGION;
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(r)) throw new ValidationException(`--region "${r}" is not a region name (lowercase letters, digits and -).`);
  return r;
}

async function serve({ dir, flags }: StandaloneContext): Promise<never> {
  const [{ openVault }, { startRotationScheduler }, { ApiCredentialStore, CredentialCache }, { startApiServer }] = await Promise.all([
    import('../vault/openVault.js'),
    import('../vault/rotationScheduler.js'),
    import('../api/apiCredentials.js'),
    import('../api/server.js'),
  ]);
  const host = flags.text('host') ?? '127.0.0.1';
  const options = { region: await region(flags), host, port: port(flags) };
  const service = await openVault({ dir }); // runs the catch-up: due rotations happen at start
  const scheduler = startRotationScheduler(service, {
    onError: (err) => process.stderr.write(JSON.stringify({ __type: 'SchedulerError', message: err instanceof Error ? err.message : String(err) }) + '\n'),
  });
  const credentials = new ApiCredentialStore(service.keychain, service.vaultId, dir);
  await credentials.getOrCreate();
  const server = await startApiServer({ service, credentials: new CredentialCache(credentials), ...options });
  process.stdout.write(JSON.stringify({ Endpoint: server.endpoint, Region: server.region }) + '\n');
  return new Promise<never>(() => {
    const stop = () => {
      scheduler.stop();
      void server.close().then(() => {
        service.close();
        process.exit(0);
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export const API_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'serve',
    summary: 'Run the AWS-compatible KMS endpoint on loopback in the foreground (with automatic rotation).',
    operation: 'Serve',
    flags: [
      portFlag,
      { name: 'host', kind: 'choice', choices: HOSTS, value: 'HOST', help: 'Loopback address to bind: 127.0.0.1 (default), ::1 or localhost.' },
      regionFlag,
    ],
    run: () => Promise.reject(new Error('internal: serve runs standalone')),
    standalone: serve,
  },
  {
    name: 'get-api-credentials',
    summary: 'Print the endpoint credentials as a credential_process document (created on first use).',
    operation: 'GetApiCredentials',
    flags: [],
    catchUp: false,
    run: async ({ service }) => {
      const { ApiCredentialStore } = await import('../api/apiCredentials.js');
      const pair = await new ApiCredentialStore(service.keychain, service.vaultId, service.store.dir).getOrCreate();
      return { Version: 1, AccessKeyId: pair.AccessKeyId, SecretAccessKey: pair.SecretAccessKey };
    },
  },
  {
    name: 'rotate-api-credentials',
    summary: 'Replace the endpoint credentials; the old pair stops working at once.',
    operation: 'RotateApiCredentials',
    flags: [],
    catchUp: false,
    run: async ({ service }) => {
      const { ApiCredentialStore } = await import('../api/apiCredentials.js');
      const pair = await new ApiCredentialStore(service.keychain, service.vaultId, service.store.dir).rotate();
      return { AccessKeyId: pair.AccessKeyId };
    },
  },
  {
    name: 'aws-config',
    summary: 'Print a ~/.aws/config profile for the endpoint (credential_process, region, endpoint_url).',
    operation: 'AwsConfig',
    flags: [
      { name: 'profile', kind: 'text', value: 'NAME', help: 'Profile name (default keyvault).' },
      { ...portFlag, help: `The port \`serve\` listens on (default ${DEFAULT_API_PORT}).` },
      regionFlag,
    ],
    standalone: async ({ dir, flags }) => {
      const name = flags.text('profile') ?? 'keyvault';
      if (!/^[\w.-]{1,64}$/.test(name)) throw new ValidationException(`--profile "${name}" must be letters, digits, ".", "_" or "-".`);
      const cli = process.argv[1] && isAbsolute(process.argv[1]) ? process.argv[1] : resolve(process.argv[1] ?? 'keyvault');
      const endpoint = `http://127.0.0.1:${port(flags)}`;
      const reg = await region(flags);
      const { awsProfileText } = await import('../api/awsProfile.js');
      const profile = awsProfileText({ name, cliCommand: [process.execPath, cli], vaultDir: resolve(dir), region: reg, endpoint });
      return { ProfileName: name, Endpoint: endpoint, Region: reg, Profile: profile };
    },
    run: () => Promise.reject(new Error('internal: aws-config runs standalone')),
  },
];
