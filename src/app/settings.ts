// The workspace settings with their defaults: what the customer pages call the company and show
// as its logo, and how many days a save must hold before analytics count it (so an offer that
// only delays a cancellation does not flatter the save rate).
import { readSettingRows, writeSettingRows } from "../db/repositories/settings.repository.ts";
import { validationError } from "../domain/errors.ts";
import type { Db } from "./context.ts";

export interface WorkspaceSettings {
  companyName: string;
  /** An https: URL or a data:image/... URL; null shows the company name only. */
  logoUrl: string | null;
  /** A save counts when the customer is still subscribed this many days after it. */
  saveValidationDays: number;
}

export const DEFAULT_SETTINGS: WorkspaceSettings = {
  companyName: "WootRecruit",
  logoUrl: null,
  saveValidationDays: 30,
};

export async function getSettings(db: Db): Promise<WorkspaceSettings> {
  const stored = await readSettingRows(db);
  const settings = { ...DEFAULT_SETTINGS };
  if (typeof stored.companyName === "string") settings.companyName = stored.companyName;
  if (typeof stored.logoUrl === "string" || stored.logoUrl === null)
    settings.logoUrl = stored.logoUrl as string | null;
  if (typeof stored.saveValidationDays === "number")
    settings.saveValidationDays = stored.saveValidationDays;
  return settings;
}

/** Checks and stores the given settings; the others keep their values. */
export async function updateSettings(
  db: Db,
  changes: Partial<WorkspaceSettings>,
  updatedBy: string | null,
  now: Date,
): Promise<WorkspaceSettings> {
  // Every field's problem at once: the admin fixes the form in one go, not one field per save.
  const problems: { field: string; message: string }[] = [];
  if (changes.companyName !== undefined) {
    const name = changes.companyName.trim();
    if (name.length === 0 || name.length > 120)
      problems.push({ field: "companyName", message: "must be 1 to 120 characters" });
    changes.companyName = name;
  }
  if (changes.logoUrl !== undefined && changes.logoUrl !== null) {
    const url = changes.logoUrl;
    const ok =
      (/^https:\/\/\S+$/.test(url) && url.length <= 2000) ||
      (/^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=]+$/.test(url) &&
        url.length <= 200_000);
    if (!ok)
      problems.push({
        field: "logoUrl",
        message:
          "must be an https: URL (up to 2,000 characters) or a base64 data:image URL under 200 KB",
      });
  }
  if (changes.saveValidationDays !== undefined) {
    const days = changes.saveValidationDays;
    if (!Number.isInteger(days) || days < 0 || days > 365)
      problems.push({
        field: "saveValidationDays",
        message: "must be a whole number of days from 0 to 365",
      });
  }
  if (problems.length > 0) {
    throw validationError(problems, problems.map((p) => `${p.field}: ${p.message}`).join("; "));
  }
  await writeSettingRows(db, changes as Record<string, unknown>, updatedBy, now);
  return getSettings(db);
}
