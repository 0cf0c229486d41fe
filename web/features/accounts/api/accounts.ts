// Accounts, their contacts and subscriptions, plans, and staff users (to pick an AM or a CSM).
import { useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";
import type {
  AccountJson,
  ContactJson,
  Page,
  PlanJson,
  SubscriptionJson,
  UserJson,
} from "../../../lib/types.ts";

export function useAccounts(q: string, cursor?: string) {
  return useQuery({
    queryKey: ["accounts", q, cursor],
    queryFn: () => api.get<Page<AccountJson>>("/api/accounts", { q, cursor, limit: 20 }),
  });
}

export function useAccount(id: string | undefined) {
  return useQuery({
    queryKey: ["account", id],
    queryFn: () => api.get<AccountJson>(`/api/accounts/${id}`),
    enabled: !!id,
  });
}

export function useContacts(accountId: string | undefined) {
  return useQuery({
    queryKey: ["contacts", accountId],
    queryFn: () => api.get<Page<ContactJson>>("/api/contacts", { accountId, limit: 200 }),
    enabled: !!accountId,
  });
}

export function useSubscriptions(accountId: string | undefined) {
  return useQuery({
    queryKey: ["subscriptions", accountId],
    queryFn: () => api.get<Page<SubscriptionJson>>("/api/subscriptions", { accountId, limit: 200 }),
    enabled: !!accountId,
  });
}

export function useSubscription(id: string | undefined) {
  return useQuery({
    queryKey: ["subscription", id],
    queryFn: () => api.get<SubscriptionJson>(`/api/subscriptions/${id}`),
    enabled: !!id,
  });
}

export function usePlans() {
  return useQuery({
    queryKey: ["plans"],
    queryFn: () => api.get<Page<PlanJson>>("/api/plans", { limit: 200 }),
    staleTime: 300_000,
  });
}

export function useStaff() {
  return useQuery({
    queryKey: ["users", "all"],
    queryFn: () => api.get<Page<UserJson>>("/api/users", { limit: 200 }),
    staleTime: 60_000,
  });
}

export function useContact(id: string | undefined) {
  return useQuery({
    queryKey: ["contact", id],
    queryFn: () => api.get<ContactJson>(`/api/contacts/${id}`),
    enabled: !!id,
  });
}
