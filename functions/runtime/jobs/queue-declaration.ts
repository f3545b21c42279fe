export type QueueRunner = 'lambda' | 'step-functions';

export interface QueueDeclaration {
  /** ActiveJob queue name, as Rails writes it in `queue_name`. */
  readonly name: string;
  readonly runner: QueueRunner;
  readonly description: string;
}
