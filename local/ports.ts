/** Where the local runtime listens, and the error when it cannot. Free of emulator imports, so the CLIs can read it cheaply. */

/** Fixed defaults, so a Rails app's configuration can name them. 4566 is also LocalStack's and fauxqs' own default. */
export const DEFAULT_SQS_PORT = 4566;
export const DEFAULT_DYNAMODB_PORT = 4567;

export const SQS_PORT_ENV = 'XIKOLO_LOCAL_SQS_PORT';
export const DYNAMODB_PORT_ENV = 'XIKOLO_LOCAL_DYNAMODB_PORT';

/** A port the emulator could not bind, with what to do about it. */
export class PortInUseError extends Error {
  constructor(
    readonly service: string,
    readonly port: number,
    flag: string,
    env: string,
  ) {
    super(
      `${service}: port ${port} is already in use (another \`npm start\`, LocalStack or fauxqs?). ` +
        `Stop that process, or choose another port with ${flag} <port> or ${env}=<port>.`,
    );
    this.name = 'PortInUseError';
  }
}
