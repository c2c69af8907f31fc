/**
 * Settings → "AWS-compatible endpoint" in the app: the same server as `keyvault serve`, run in
 * main, off by default. Its on/off switch and port are kept in `<vault>/api-endpoint.json` (no
 * secret); the credentials stay in the OS keychain. The server stops when the app quits.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiCredentialStore, CredentialCache } from '../api/apiCredentials.js';
import { ApiError } from '../api/apiErrors.js';
import { DEFAULT_API_REGION } from '../api/awsNames.js';
import { awsProfileText } from '../api/awsProfile.js';
import type { ApiServer } from '../api/server.js';
import { startApiServer } from '../api/server.js';
import { ValidationException } from '../core/errors.js';
import type { VaultService } from '../vault/vaultService.js';
import type { ApiEndpointStatus, SetApiEndpointRequest } from '../../preload/contract.js';

export const API_SETTINGS_FILE = 'api-endpoint.json';
export const DEFAULT_APP_API_PORT = 9631;

interface Settings {
  Enabled: boolean;
  Port: number;
}

export interface ApiEndpointOptions {
  /** The command that runs the `keyvault` CLI, for the profile's credential_process. */
  cliCommand: readonly string[];
  region?: string;
}

/** The four IPC operations of the Settings panel. */
export interface ApiEndpointOperations {
  getApiEndpointStatus(): Promise<ApiEndpointStatus>;
  setApiEndpoint(req: SetApiEndpointRequest): Promise<ApiEndpointStatus>;
  rotateApiCredentials(): Promise<{ AccessKeyId: string }>;
  getAwsProfile(): Promise<{ Profile: string }>;
}

export class ApiEndpointController implements ApiEndpointOperations {
  private server: ApiServer | undefined;
  private settings: Settings;
  private lastError: string | undefined;
  private readonly credentials: ApiCredentialStore;
  private readonly region: string;
  private readonly settingsFile: string;

  constructor(
    private readonly service: VaultService,
    private readonly opts: ApiEndpointOptions,
  ) {
    this.credentials = new ApiCredentialStore(service.keychain, service.vaultId, service.store.dir);
    this.region = opts.region ?? DEFAULT_API_REGION;
    this.settingsFile = join(service.store.dir, API_SETTINGS_FILE);
    this.settings = this.readSettings();
  }

  /** Starts the server when the user left it on; a failure is shown as the status's last error. */
  async resume(): Promise<void> {
    if (this.settings.Enabled) await this.startServer();
  }

  async getApiEndpointStatus(): Promise<ApiEndpointStatus> {
    const live = this.server?.status();
    return {
      Enabled: this.settings.Enabled,
      Port: this.settings.Port,
      Listening: live?.Listening ?? false,
      ...(live?.Endpoint ? { Endpoint: live.Endpoint } : {}),
      Region: this.region,
      RequestsServed: live?.RequestsServed ?? 0,
      ...((live?.LastError ?? this.lastError) ? { LastError: live?.LastError ?? this.lastError } : {}),
    };
  }

  async setApiEndpoint(req: SetApiEndpointRequest): Promise<ApiEndpointStatus> {
    const port = req.Port ?? this.settings.Port;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ValidationException(`Port must be 1 to 65535; got ${String(port)}.`);
    const changed = port !== this.settings.Port;
    this.settings = { Enabled: req.Enabled, Port: port };
    this.writeSettings();
    if (!req.Enabled || changed) await this.stopServer();
    if (req.Enabled && !this.server) await this.startServer();
    return this.getApiEndpointStatus();
  }

  async rotateApiCredentials(): Promise<{ AccessKeyId: string }> {
    const pair = await this.credentials.rotate();
    return { AccessKeyId: pair.AccessKeyId };
  }

  async getAwsProfile(): Promise<{ Profile: string }> {
    await this.credentials.getOrCreate();
    const endpoint = this.server?.endpoint ?? `http://127.0.0.1:${this.settings.Port}`;
    return { Profile: awsProfileText({ name: 'keyvault', cliCommand: this.opts.cliCommand, vaultDir: this.service.store.dir, region: this.region, endpoint }) };
  }

  async close(): Promise<void> {
    await this.stopServer();
  }

  private async startServer(): Promise<void> {
    try {
      await this.credentials.getOrCreate();
      this.server = await startApiServer({
        service: this.service,
        credentials: new CredentialCache(this.credentials),
        region: this.region,
        port: this.settings.Port,
      });
      this.lastError = undefined;
    } catch (err) {
      this.lastError = err instanceof Error ? `${err instanceof ApiError ? err.__type : err.name}: ${err.message}` : String(err);
    }
  }

  private async stopServer(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.close();
  }

  private readSettings(): Settings {
    try {
      const v = JSON.parse(readFileSync(this.settingsFile, 'utf8')) as Partial<Settings>;
      const port = typeof v.Port === 'number' && Number.isInteger(v.Port) && v.Port >= 1 && v.Port <= 65535 ? v.Port : DEFAULT_APP_API_PORT;
      return { Enabled: v.Enabled === true, Port: port };
    } catch {
      return { Enabled: false, Port: DEFAULT_APP_API_PORT };
    }
  }

  private writeSettings(): void {
    const tmp = `${this.settingsFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.settings) + '\n', { mode: 0o600 });
    renameSync(tmp, this.settingsFile);
  }
}

/**
 * The CLI as the app ships it, run by the app's own binary in Node mode (so no separate Node is
 * needed for credential_process). `env` sets the variable on POSIX; Windows has no `env`.
 */
export function appCliCommand(execPath: string, appPath: string): string[] {
  const bin = join(appPath, 'bin', 'keyvault');
  return process.platform === 'win32'
    ? ['cmd', '/c', `set ELECTRON_RUN_AS_NODE=1&& "${execPath}" "${bin}"`]
    : ['/usr/bin/env', 'ELECTRON_RUN_AS_NODE=1', execPath, bin];
}

/**
 * Adds the controller's operations to the service object the IPC handlers call (they look an
 * operation up by name), and returns the controller so the shell can close it on quit.
 */
export function attachApiEndpoint(
  service: VaultService,
  opts: ApiEndpointOptions,
): { controller: ApiEndpointController; ipcService: VaultService & ApiEndpointOperations } {
  const controller = new ApiEndpointController(service, opts);
  const ops: ApiEndpointOperations = {
    getApiEndpointStatus: () => controller.getApiEndpointStatus(),
    setApiEndpoint: (req) => controller.setApiEndpoint(req),
    rotateApiCredentials: () => controller.rotateApiCredentials(),
    getAwsProfile: () => controller.getAwsProfile(),
  };
  return { controller, ipcService: Object.assign(service, ops) };
}
