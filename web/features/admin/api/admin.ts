// Admin calls: users, API keys, policy versions.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, api } from "../../../lib/api-client.ts";
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

/** Open cases a user holds as assigned AM and as assigned CSM. */
export interface OpenCaseCounts {
  am: number;
  csm: number;
}

/** What POST /api/users/:id/open-cases/hand-over answers. */
export interface HandOverReport {
  moved: { caseId: string; reference: string; slot: "am" | "csm"; toUserId: string }[];
  notMoved: {
    caseId: string;
    reference: string;
    slot: "am" | "csm";
    code: string;
    message: string;
  }[];
  left: OpenCaseCounts;
}

export interface Successors {
  amSuccessorId: string | null;
  csmSuccessorId: string | null;
}

/** What a deactivation did: the user, what was handed over, and what stays with them. */
export interface DeactivationOutcome {
  user: UserJson;
  handOver: HandOverReport | null;
  /** The hand-over failed as a whole (after the user was deactivated): its message. */
  handOverError: string | null;
  left: OpenCaseCounts;
}

/** What a role change did: the user as they are now, and the cases handed over for it. */
export interface RoleChangeOutcome {
  user: UserJson | null;
  handOver: HandOverReport | null;
}

/**
 * Changes a user's role. The server refuses a role their open cases cannot follow
 * (OPEN_CASES_NEED_SUCCESSOR), after every other rule (the last admin, yourself): only then are
 * those cases handed to the successors named, and the role asked for again. A case the hand-over
 * could not move stops it there, the role unchanged, and the outcome says which.
 */
export function useChangeRole() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (input: {
      id: string;
      role: string;
      successors: Successors;
    }): Promise<RoleChangeOutcome> => {
      const change = () => api.patch<UserJson>(`/api/users/${input.id}`, { role: input.role });
      try {
        return { user: await change(), handOver: null };
      } catch (error) {
        const { amSuccessorId, csmSuccessorId } = input.successors;
        const needsHandOver =
          error instanceof ApiError && error.code === "OPEN_CASES_NEED_SUCCESSOR";
        if (!needsHandOver || (!amSuccessorId && !csmSuccessorId)) throw error;
      }
      const handOver = await api.post<HandOverReport>(
        `/api/users/${input.id}/open-cases/hand-over`,
        {
          ...(input.successors.amSuccessorId
            ? { amSuccessorId: input.successors.amSuccessorId }
            : {}),
          ...(input.successors.csmSuccessorId
            ? { csmSuccessorId: input.successors.csmSuccessorId }
            : {}),
        },
      );
      if (handOver.notMoved.length > 0) return { user: null, handOver };
      return { user: await change(), handOver };
    },
    onSettled: () => client.invalidateQueries({ queryKey: ["users"] }),
  });
}

/** The open cases of one user, read when the deactivation dialog opens. */
export function useOpenCaseCounts(userId: string, enabled: boolean) {
  return useQuery({
    queryKey: ["users", userId, "open-cases"],
    queryFn: () => api.get<OpenCaseCounts>(`/api/users/${userId}/open-cases`),
    enabled,
    staleTime: 0,
  });
}

/**
 * Deactivates a user, then hands their open cases to the successors named. Deactivated first: a
 * refusal of the deactivation (yourself, the last admin) moves nothing, and once inactive nobody
 * can reassign a case to them while the others move.
 */
export function useDeactivateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (input: {
      id: string;
      successors: Successors;
    }): Promise<DeactivationOutcome> => {
      const user = await api.patch<UserJson & { openCases: OpenCaseCounts }>(
        `/api/users/${input.id}`,
        { active: false },
      );
      const { amSuccessorId, csmSuccessorId } = input.successors;
      if (!amSuccessorId && !csmSuccessorId) {
        return { user, handOver: null, handOverError: null, left: user.openCases };
      }
      try {
        const handOver = await api.post<HandOverReport>(
          `/api/users/${input.id}/open-cases/hand-over`,
          {
            ...(amSuccessorId ? { amSuccessorId } : {}),
            ...(csmSuccessorId ? { csmSuccessorId } : {}),
          },
        );
        return { user, handOver, handOverError: null, left: handOver.left };
      } catch (error) {
        const handOverError = error instanceof Error ? error.message : String(error);
        return { user, handOver: null, handOverError, left: user.openCases };
      }
    },
    onSettled: () => client.invalidateQueries({ queryKey: ["users"] }),
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
