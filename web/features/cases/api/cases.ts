// The case API: queues, one case (with checklist and next actions), its timeline, offer options,
// opening a case, and running a command with the version the user saw.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";
import type {
  CaseView,
  OfferOption,
  Page,
  PolicyVersion,
  QueueItem,
  TimelineEntry,
} from "../../../lib/types.ts";

export type QueueName =
  | "mine"
  | "unassigned"
  | "escalated_to_me"
  | "sla_at_risk"
  | "sla_breached"
  | "all";

export type QueueSort = "opened" | "updated" | "sla_due" | "reference";

export interface QueueFilter {
  queue: QueueName;
  sort?: QueueSort;
  order?: "asc" | "desc";
  planId?: string;
  q?: string;
  /** Open or closed (the "all" queue; the others hold open cases only). */
  status?: string;
  state?: string;
  outcome?: string;
  channel?: string;
  assignedAmId?: string;
  assignedCsmId?: string;
  accountId?: string;
  openedFrom?: string;
  openedTo?: string;
  cursor?: string;
  limit?: number;
}

/**
 * How often the queues, their counts and the open case are reloaded while the page is visible,
 * so other people's changes show without a reload. TanStack Query does not poll a background tab
 * (refetchIntervalInBackground is false), and coming back to it reloads (refetchOnWindowFocus).
 */
export const LIVE_REFRESH_MS = 30_000;

export function useCaseQueue(filter: QueueFilter) {
  return useQuery({
    queryKey: ["cases", filter],
    queryFn: () =>
      api.get<Page<QueueItem> & { total: number }>("/api/cases", { limit: 25, ...filter }),
    refetchInterval: LIVE_REFRESH_MS,
  });
}

/** How many cases each queue holds for the signed-in user, for the tabs. */
export function useQueueCounts() {
  return useQuery({
    queryKey: ["cases", "counts"],
    queryFn: () => api.get<Record<QueueName, number>>("/api/cases/counts"),
    refetchInterval: LIVE_REFRESH_MS,
  });
}

export const caseKey = (id: string) => ["case", id] as const;

export function useCase(id: string) {
  return useQuery({
    queryKey: caseKey(id),
    queryFn: () => api.get<CaseView>(`/api/cases/${encodeURIComponent(id)}`),
    refetchInterval: LIVE_REFRESH_MS,
  });
}

export function useCaseTimeline(id: string, version: number | undefined) {
  return useQuery({
    queryKey: ["case-timeline", id, version],
    queryFn: () =>
      api.get<{ items: TimelineEntry[] }>(`/api/cases/${encodeURIComponent(id)}/timeline`),
    enabled: version !== undefined,
  });
}

export function useOfferOptions(id: string, version: number | undefined, enabled: boolean) {
  return useQuery({
    queryKey: ["offer-options", id, version],
    queryFn: () =>
      api.get<{ items: OfferOption[] }>(`/api/cases/${encodeURIComponent(id)}/offer-options`),
    enabled: enabled && version !== undefined,
  });
}

export function usePolicyVersion(version: number | undefined) {
  return useQuery({
    queryKey: ["policy-version", version],
    queryFn: () => api.get<PolicyVersion>(`/api/policy/versions/${version}`),
    enabled: version !== undefined,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Runs `POST /api/cases/:id/<path>` with the case version the user saw. */
export function useCaseCommand(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: {
      path: string;
      body?: Record<string, unknown>;
      expectedVersion: number;
    }) =>
      api.post<CaseView>(`/api/cases/${encodeURIComponent(id)}/${input.path}`, {
        ...(input.body ?? {}),
        expectedVersion: input.expectedVersion,
      }),
    onSuccess: (view) => {
      client.setQueryData(caseKey(id), view);
      client.invalidateQueries({ queryKey: ["cases"] });
    },
  });
}

export function useOpenCase() {
  return useMutation({
    mutationFn: (input: {
      accountId: string;
      subscriptionId: string;
      requesterContactId: string;
      channel: string;
      summary?: string;
    }) => api.post<CaseView>("/api/cases", input),
  });
}
