// One process at a time on an embedded database folder, and a lock left by a process that died
// does not keep the folder locked for ever.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DataFolderInUseError, lockDataFolder } from "./database.ts";

describe("the embedded database's lock", () => {
  it("refuses a second holder while the first lives, and frees the folder on release", () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), "cd-lock-")), "pglite");
    const release = lockDataFolder(dataDir);
    expect(() => lockDataFolder(dataDir)).toThrow(DataFolderInUseError);
    expect(() => lockDataFolder(dataDir)).toThrow(`is in use by process ${process.pid}`);
    release();
    lockDataFolder(dataDir)();
  });

  it("takes over a lock whose process is gone", () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), "cd-lock-")), "pglite");
    // A pid beyond any this machine hands out (Linux's pid_max is at most 4,194,304).
    writeFileSync(`${dataDir}.lock`, "4194305\n");
    const release = lockDataFolder(dataDir);
    release();
  });

  it("takes over a lock an earlier process with this pid left (a container's pid 1 after a restart)", () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), "cd-lock-")), "pglite");
    writeFileSync(`${dataDir}.lock`, `${process.pid}\n`);
    const release = lockDataFolder(dataDir);
    expect(() => lockDataFolder(dataDir)).toThrow(DataFolderInUseError);
    release();
  });
});
