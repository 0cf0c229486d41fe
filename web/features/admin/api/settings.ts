// Workspace settings: the company's name and logo on the customer pages, and the analytics'
// save validation period.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";

export interface WorkspaceSettings {
  companyName: string;
  logoUrl: string | null;
  saveValidationDays: number;
}

export function useSettings() {
  return useQuery({
    queryKey: ["settings"],
    queryFn: () => api.get<WorkspaceSettings>("/api/settings"),
  });
}

export function useSaveSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Partial<WorkspaceSettings>) =>
      api.patch<WorkspaceSettings>("/api/settings", body),
    onSuccess: (saved) => {
      client.setQueryData(["settings"], saved);
      client.invalidateQueries({ queryKey: ["branding"] });
    },
  });
}
