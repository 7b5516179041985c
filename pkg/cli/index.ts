// Package cli: the `skiff` command-line client (kubectl-compatible). See README.md.
export { cliMain, findCommand, usage } from './main.js';
export { BufferStream, UserError, type CliIO, type OutputStream } from './io.js';
export { RestMapper, kindPrefix, type ApiResource } from './mapper.js';
