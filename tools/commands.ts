/**
 * Registers each sub-command. Every command lives in its own file under tools/commands/ and exports
 * `register(program)`.
 */
import type { Command } from 'commander';
import { register as registerBoot } from './commands/boot.js';
import { register as registerBuild } from './commands/build.js';
import { register as registerInspect } from './commands/inspect.js';

export function registerCommands(program: Command): void {
  registerBoot(program);
  registerBuild(program);
  registerInspect(program);
}
