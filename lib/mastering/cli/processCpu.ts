/**
 * CPU seconds a command has cost so far, as `time` would count them: this process's threads, plus the child processes
 * that have ended and been waited for (the ffmpeg decoders). Node reports only the former; on Linux the latter come
 * from /proc/self/stat (cutime and cstime, in the kernel's fixed 100 ticks per second). Elsewhere: this process only.
 */
import { readFileSync } from 'node:fs';

const USER_HZ = 100;

export function processCpuSeconds(): number {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1e6 + childrenCpuSeconds();
}

function childrenCpuSeconds(): number {
  if (process.platform !== 'linux') return 0;
  try {
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing parenthesis.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of the line (cutime, cstime) are 14th and 15th after the name.
    return (Number(fields[13]) + Number(fields[14])) / USER_HZ || 0;
  } catch {
    return 0;
  }
}
