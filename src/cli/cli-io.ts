/** The streams the CLI writes to (process.stdout and process.stderr, or test doubles). */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}
