/**
 * Registers each sub-command. Every command lives in its own file under tools/commands/ and exports
 * `register(program)`.
 */
import type { Command } from 'commander';
import { register as registerBoot } from './commands/boot.js';

export function registerCommands(program: Command): void {
  registerBoot(program);
}
