/** The ~/.aws/config profile for the endpoint: credential_process, region and endpoint_url, never a secret. */

/** A word of a credential_process command line (which the AWS tools split like a shell does). */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface AwsProfileOptions {
  name: string;
  /** The command that runs this CLI, e.g. [node, /path/bin/keyvault]. */
  cliCommand: readonly string[];
  vaultDir: string;
  region: string;
  endpoint: string;
}

export function awsProfileText(o: AwsProfileOptions): string {
  return [
    `[profile ${o.name}]`,
    `credential_process = ${[...o.cliCommand, '--vault-dir', o.vaultDir, 'get-api-credentials'].map(shellWord).join(' ')}`,
    `region = ${o.region}`,
    `endpoint_url = ${o.endpoint}`,
    '',
  ].join('\n');
}
