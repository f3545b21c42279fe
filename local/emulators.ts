/**
 * The embedded AWS stand-ins: fauxqs for the SQS API, dynalite for the
 * DynamoDB API. Both run in this process, in memory, and speak the real wire
 * protocols, so the runtime's AWS SDK calls are the ones Lambda makes.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { startFauxqs } from 'fauxqs';
import dynalite from 'dynalite';
import { DEFAULT_DYNAMODB_PORT, DEFAULT_SQS_PORT, DYNAMODB_PORT_ENV, PortInUseError, SQS_PORT_ENV } from './ports';

export interface RunningEmulator {
  readonly name: string;
  readonly port: number;
  /** Base URL for an SDK client's `endpoint`. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export { DEFAULT_SQS_PORT, DEFAULT_DYNAMODB_PORT, SQS_PORT_ENV, DYNAMODB_PORT_ENV, PortInUseError };

function isAddressInUse(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'EADDRINUSE';
}

export async function startSqsEmulator(options: { port: number; region: string }): Promise<RunningEmulator> {
  let server: Awaited<ReturnType<typeof startFauxqs>>;
  try {
    server = await startFauxqs({ port: options.port, logger: false, defaultRegion: options.region });
  } catch (err) {
    if (isAddressInUse(err)) throw new PortInUseError('SQS emulator (fauxqs)', options.port, '--sqs-port', SQS_PORT_ENV);
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    name: 'SQS (fauxqs)',
    port: server.port,
    // 127.0.0.1, not localhost: fauxqs listens on IPv4 only.
    endpoint: `http://127.0.0.1:${server.port}`,
    // fauxqs' close hook ends pending long polls, so this does not wait out a 20 s WaitTimeSeconds.
    stop: () => (stopped ??= server.stop()),
  };
}

export async function startDynamoEmulator(options: { port: number }): Promise<RunningEmulator> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.listen(options.port, '127.0.0.1');
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err))]);
  } catch (err) {
    if (isAddressInUse(err)) throw new PortInUseError('DynamoDB emulator (dynalite)', options.port, '--dynamodb-port', DYNAMODB_PORT_ENV);
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  let stopped: Promise<void> | undefined;
  return {
    name: 'DynamoDB (dynalite)',
    port,
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      (stopped ??= new Promise<void>((resolve, reject) => {
        server.close((err?: Error) => (err ? reject(err) : resolve()));
        // Keep-alive sockets of SDK clients would hold close() open.
        server.closeAllConnections();
      })),
  };
}
