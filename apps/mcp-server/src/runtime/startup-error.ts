/** A refusal to start with a message for the operator (printed without a stack trace, exit code 1). */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}
