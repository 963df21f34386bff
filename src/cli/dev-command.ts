// `snetd dev`: the whole local network on 127.0.0.1 — dev chain with the real contracts, IPFS,
// a registered organization and service, the example service, a funded channel, and the daemon.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import type { DevNetwork } from '../devnet/index.ts';
import { SnetError } from '../errors/index.ts';
import { writeLine, type CliIo } from './cli-io.ts';
import { daemonVersion } from './version.ts';
import { registerDevCallCommand, type DevState } from './dev-call-command.ts';
import { defaultDevDataDir, devConfigName, devDescription } from './dev-files.ts';

interface DevOptions {
  readonly dataDir: string;
  readonly port: string;
  readonly free?: boolean;
  readonly serviceType: string;
}

const SERVICE_TYPES = ['grpc', 'jsonrpc', 'http', 'process'] as const;
type ServiceType = (typeof SERVICE_TYPES)[number];

function isServiceType(value: string): value is ServiceType {
  return (SERVICE_TYPES as readonly string[]).includes(value);
}

/** Registers `snetd dev` and `snetd dev call`. */
export function registerDevCommand(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  const dev = program
    .command('dev')
    .description(devDescription)
    .option('--data-dir <dir>', 'where config, logs, chain config and channel state go', defaultDevDataDir)
    .option('--port <port>', 'daemon port on 127.0.0.1', '7000')
    .option('--free', 'run the daemon without payments (blockchain_enabled: false)')
    .option('--service-type <type>', 'the example service behind the daemon: grpc, jsonrpc (a JSON-RPC server), http (a REST server) or process (a script run per call)', 'grpc')
    .action(async (options: DevOptions) => {
      await runDev(options, io);
      setExitCode(0);
    });
  registerDevCallCommand(dev, io);
}

async function runDev(options: DevOptions, io: CliIo): Promise<void> {
  const serviceType = options.serviceType;
  if (!isServiceType(serviceType)) {
    throw new SnetError('CONFIG_INVALID', `--service-type "${serviceType}" is not one of ${SERVICE_TYPES.join(', ')}`, { hint: 'Pick one of the listed service types.' });
  }
  if (serviceType !== 'grpc' && options.free === true) {
    throw new SnetError('CONFIG_INVALID', `--service-type ${serviceType} needs payments on: the daemon learns the service type from the service metadata, which --free skips`, {
      hint: 'Drop --free (snetd dev call pays from the funded dev channel).',
    });
  }
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const port = Number(options.port);
  // Loaded on demand: hardhat, viem and helia are only needed here.
  const [{ loadConfig }, { createLogger, DEFAULT_LOGGING_OPTIONS }, { startDevNetwork }, { startDaemon }] = await Promise.all([
    import('../config/index.ts'),
    import('../ops/index.ts'),
    import('../devnet/index.ts'),
    import('../app/index.ts'),
  ]);
  const devLogging = createLogger({ ...DEFAULT_LOGGING_OPTIONS, output: { ...DEFAULT_LOGGING_OPTIONS.output, type: ['stdout'] } }, { organizationId: '', serviceId: '', network: 'local', version: daemonVersion() }, { stdout: io.stdout });
  const devnet = await startDevNetwork({ logger: devLogging.logger, dataDir, daemonEndpoint: `http://127.0.0.1:${port}`, blockIntervalMs: 2000, serviceType });
  try {
    const configPath = join(dataDir, devConfigName);
    const config = {
      ...devnet.daemonConfig,
      blockchain_enabled: options.free !== true,
      daemon_endpoint: `127.0.0.1:${port}`,
      payment_channel_storage_type: 'embedded',
      embedded_storage_dir: join(dataDir, 'channel-state'),
      token_secret_key: randomBytes(32).toString('hex'),
      log: {
        level: 'info',
        output: { type: ['file', 'stdout'], file_pattern: join(dataDir, 'snetd.%Y%m%d.log'), current_link: join(dataDir, 'snetd.log') },
      },
    };
    await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    const loaded = loadConfig({ configPath, env: io.env });
    const daemon = await startDaemon(loaded, { version: daemonVersion(), stdout: io.stdout, stderr: io.stderr });
    const state: DevState = {
      daemonAddress: `127.0.0.1:${daemon.address.port}`,
      paid: options.free !== true,
      chainId: devnet.chainId,
      rpcUrl: devnet.rpcUrl,
      mpeAddress: devnet.contracts.mpe,
      channelId: devnet.channel.id.toString(),
      priceCogs: devnet.priceCogs.toString(),
      clientPrivateKey: devnet.client.privateKey,
      protoFile: devnet.serviceProtoFile,
      freeCall: { organizationId: devnet.orgId, serviceId: devnet.serviceId, groupIdBase64: devnet.groupId.base64 },
    };
    await writeFile(join(dataDir, 'dev-state.json'), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    printNextSteps(io, devnet, state, dataDir, configPath, options.free === true);
    const signal = await (io.stopSignal ?? new Promise<string>(() => {}));
    writeLine(io.stderr, `received ${signal}: stopping the daemon and the dev network`);
    await daemon.stop();
  } finally {
    await devnet.stop();
    await devLogging.close();
  }
}

/** How the user runs snetd here: through npm in a checkout (`npx snetd`), else the installed command. */
function snetdCommand(io: CliIo): string {
  return io.env['npm_execpath'] === undefined ? 'snetd' : 'npx snetd';
}

function printNextSteps(io: CliIo, devnet: DevNetwork, state: DevState, dataDir: string, configPath: string, free: boolean): void {
  const snetd = snetdCommand(io);
  // The other commands find this network by themselves from this folder (default data dir and no
  // snetd.config.json of its own); otherwise they are told where it is.
  const here = dataDir === resolve(defaultDevDataDir) && !existsSync('snetd.config.json');
  const dataDirFlag = dataDir === resolve(defaultDevDataDir) ? '' : ` --data-dir ${relative('.', dataDir)}`;
  const configFlag = here ? '' : ` -c ${relative('.', configPath)}`;
  const price = free ? 'free: payments are off (--free), nothing is signed or charged' : `${state.priceCogs} cog${state.priceCogs === '1' ? '' : 's'} per call`;
  const lines = [
    '',
    '=== snetd dev: local SingularityNET network is up (127.0.0.1 only; Ctrl-C stops everything) ===',
    `daemon        ${state.daemonAddress}  (gRPC, gRPC-Web, /heartbeat, /metrics, /encoding)${free ? '  — free mode, no payments' : ''}`,
    `service       ${devnet.orgId}/${devnet.serviceId}: example_service.Calculator/{add,sub,mul,div}, ${price}`,
    `service type  ${devnet.serviceType}: ${devnet.serviceEndpoint}`,
    `chain         ${devnet.rpcUrl}  (chain id ${state.chainId})`,
    `contracts     Registry ${devnet.contracts.registry}, MPE ${devnet.contracts.mpe}, token ${devnet.contracts.token}`,
    `ipfs          ${devnet.ipfsUrl}`,
    `client        ${devnet.client.address}, channel ${devnet.channel.id} (dev-only key in ${join(dataDir, 'dev-state.json')})`,
    `config        ${configPath}`,
    `logs          ${join(dataDir, 'snetd.log')}`,
    '',
    `Try a call:   ${snetd} dev call add 2 3${dataDirFlag}`,
    ...(free ? [] : [`Channels:     ${snetd} list channels${configFlag}`, `Export state: ${snetd} storage export${configFlag}`]),
    `Health:       curl http://${state.daemonAddress}/heartbeat`,
    `Metrics:      curl http://${state.daemonAddress}/metrics  (Prometheus; dashboard: docs/grafana-dashboard.json)`,
    '',
  ];
  for (const line of lines) writeLine(io.stdout, line);
}
