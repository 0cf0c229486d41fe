// Admin calls: users, API keys, policy versions.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";
import type {
  ApiKeyJson,
  Page,
  PolicyVersion,
  PolicyVersionSummary,
  UserJson,
} from "../../../lib/types.ts";

export function useUsers() {
  return useQuery({
    queryKey: ["users", "admin"],
    queryFn: () => api.get<Page<UserJson>>("/api/users", { limit: 200 }),
  });
}

export function useSaveUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { id?: string; body: Record<string, unknown> }) =>
      input.id
        ? api.patch<UserJson>(`/api/users/${input.id}`, input.body)
        : api.post<UserJson>("/api/users", input.body),
    onSuccess: () => client.invalidateQueries({ queryKey: ["users"] }),
  });
}

export function useApiKeys() {
  return useQuery({
    queryKey: ["api-keys"],
    queryFn: () => api.get<{ items: ApiKeyJson[] }>("/api/api-keys"),
  });
}

export function useCreateApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; role: string }) =>
      api.post<ApiKeyJson & { key: string }>("/api/api-keys", body),
    onSuccess: () => client.invalidateQueries({ queryKey: ["api-keys"] }),
  });
}

export function useRevokeApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<ApiKeyJson>(`/api/api-keys/${id}/revoke`),
    onSuccess: () => client.invalidateQueries({ queryKey: ["api-keys"] }),
  });
}

export function useCurrentPolicy() {
  return useQuery({ queryKey: ["policy"], queryFn: () => api.get<PolicyVersion>("/api/policy") });
}

export function usePolicyVersions() {
  return useQuery({
    queryKey: ["policy-versions"],
    // The whole history, a page at a time (versions are few: published by hand).
    queryFn: async () => {
      const items: PolicyVersionSummary[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<PolicyVersionSummary> = await api.get<Page<PolicyVersionSummary>>(
          "/api/policy/versions",
          { limit: 200, ...(cursor ? { cursor } : {}) },
        );
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return { items };
    },
  });
}

export function usePublishPolicy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: {
      definition: Record<string, unknown>;
      notes: string | null;
      basedOnVersion: number | null;
    }) => api.post<PolicyVersion>("/api/policy/versions", body),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: ["policy"] });
      client.invalidateQueries({ queryKey: ["policy-versions"] });
    },
  });
}

export interface DevMailJson {
  id: string;
  channel: string;
  recipient: string;
  subject: string | null;
  text: string;
  createdAt: string;
}

/** Email and SMS kept in the app because no SMTP server or SMS provider is configured. */
export function useDevMailbox() {
  return useQuery({
    queryKey: ["dev-mailbox"],
    queryFn: () => api.get<{ items: DevMailJson[] }>("/api/dev/mailbox?limit=100"),
    refetchInterval: 5_000,
  });
}
