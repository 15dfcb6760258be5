/**
 * A Secret volume as the kubelet writes it (pkg/volume/util/atomic_writer.go): the data lives
 * in a hidden timestamped folder, `..data` is a symlink to it, and each visible file is a
 * symlink through `..data`. An update writes a new folder, points `..data_tmp` at it, renames
 * `..data_tmp` over `..data` (the one atomic step), then removes the old folder.
 */
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export class ProjectedSecret {
  private generation = 0;
  private current: string | undefined;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** The visible path of one key, as a container reads it. */
  path(key: string): string {
    return join(this.dir, key);
  }

  /** Writes every key's value, atomically replacing what was there before. */
  write(data: Record<string, string>): void {
    const folder = `..2026_01_01_00_00_00.${++this.generation}`;
    mkdirSync(join(this.dir, folder));
    for (const [key, value] of Object.entries(data)) writeFileSync(join(this.dir, folder, key), value, { mode: 0o440 });
    for (const key of Object.keys(data)) {
      try {
        symlinkSync(join("..data", key), join(this.dir, key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
    }
    symlinkSync(folder, join(this.dir, "..data_tmp"));
    renameSync(join(this.dir, "..data_tmp"), join(this.dir, "..data"));
    if (this.current) rmSync(join(this.dir, this.current), { recursive: true });
    this.current = folder;
  }
}
