// CSV imports from the admin screens (POST /api/imports/:kind): the file is the body, and the
// answer is the import's report, also when the server refuses the file (400 IMPORT_REFUSED).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import { ApiError, api } from "../../../lib/api-client.ts";
import { keyStillOpen, newIdempotencyKey } from "../../../lib/idempotency-key.ts";

/** The chosen file could not be read (see useImportCsv); it must be chosen again. */
export const FILE_UNREADABLE = "FILE_UNREADABLE";

export type ImportKind = "accounts" | "contacts" | "subscriptions";

export interface ImportKinds {
  maxBytes: number;
  kinds: { kind: ImportKind; required: string[]; optional: string[] }[];
}

export interface ImportProblem {
  line: number;
  field: string;
  message: string;
}

export interface ImportReport {
  kind: ImportKind;
  dryRun: boolean;
  refused: boolean;
  total: number;
  valid: number;
  imported: number;
  invalidRows: number;
  problemCount: number;
  problems: ImportProblem[];
}

export interface ImportRequest {
  kind: ImportKind;
  file: File;
  dryRun: boolean;
  skipInvalid: boolean;
}

/** The report, and when the file was refused the server's sentence saying why. */
export interface ImportOutcome {
  report: ImportReport;
  refusal: string | null;
}

export function useImportKinds() {
  return useQuery({
    queryKey: ["import-kinds"],
    queryFn: () => api.get<ImportKinds>("/api/imports"),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/**
 * Sends a file with an Idempotency-Key kept for the same file and choices until the server
 * answers, so sending again after a lost reply gets the first answer instead of importing twice.
 */
export function useImportCsv() {
  const client = useQueryClient();
  const unanswered = useRef<{ request: ImportRequest; key: string } | null>(null);
  return useMutation({
    mutationFn: async (request: ImportRequest): Promise<ImportOutcome> => {
      const open = unanswered.current;
      const same =
        open !== null &&
        open.request.file === request.file &&
        open.request.kind === request.kind &&
        open.request.dryRun === request.dryRun &&
        open.request.skipInvalid === request.skipInvalid;
      const key = same ? open.key : newIdempotencyKey();
      unanswered.current = { request, key };
      let text: string;
      try {
        text = await request.file.text();
      } catch {
        // Browsers refuse to read a chosen file that was changed on disk after it was chosen.
        throw new ApiError(0, {
          code: FILE_UNREADABLE,
          message:
            "The file could not be read: it may have changed since you chose it. Choose it again.",
        });
      }
      try {
        const report = await api.postFile<ImportReport>(
          `/api/imports/${request.kind}`,
          text,
          "text/csv",
          { dryRun: request.dryRun || undefined, skipInvalid: request.skipInvalid || undefined },
          { idempotencyKey: key },
        );
        unanswered.current = null;
        return { report, refusal: null };
      } catch (error) {
        if (!keyStillOpen(error)) unanswered.current = null;
        const report = error instanceof ApiError ? error.details?.report : undefined;
        if (error instanceof ApiError && error.code === "IMPORT_REFUSED" && report)
          return { report: report as ImportReport, refusal: error.message };
        throw error;
      }
    },
    onSuccess: ({ report }) => {
      if (report.imported > 0) {
        for (const key of ["accounts", "account", "contacts", "subscriptions", "subscription"])
          client.invalidateQueries({ queryKey: [key] });
      }
    },
  });
}
