// Accounts, their contacts and subscriptions, plans, and staff users (to pick an AM or a CSM);
// creating and changing an account, a contact or a subscription.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
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

/**
 * Creates a record (no id) or changes one (with its id; the body carries the `expectedVersion` the
 * form was opened at, so a change made meanwhile is refused rather than overwritten). Every list
 * and page showing the record is reloaded after.
 */
function useSaveRecord<T>(path: string, shownIn: (saved: T) => readonly unknown[][]) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { id?: string; body: Record<string, unknown> }) =>
      input.id
        ? api.patch<T>(`${path}/${encodeURIComponent(input.id)}`, input.body)
        : api.post<T>(path, input.body),
    onSuccess: (saved) =>
      Promise.all(shownIn(saved).map((queryKey) => client.invalidateQueries({ queryKey }))),
  });
}

export function useSaveAccount() {
  return useSaveRecord<AccountJson>("/api/accounts", (a) => [["accounts"], ["account", a.id]]);
}

export function useSaveContact() {
  return useSaveRecord<ContactJson>("/api/contacts", (c) => [
    ["contacts", c.accountId],
    ["contact", c.id],
  ]);
}

export function useSaveSubscription() {
  return useSaveRecord<SubscriptionJson>("/api/subscriptions", (s) => [
    ["subscriptions", s.accountId],
    ["subscription", s.id],
  ]);
}

/**
 * Whether a role may create and change accounts and contacts (account managers and admins), and
 * subscriptions (admins: they belong to the billing system). The desk hides the forms from the
 * others; the server refuses them all the same.
 */
export function mayEditCustomers(role: string | undefined): boolean {
  return role === "account_manager" || role === "admin";
}

/**
 * Undoes a cancellation scheduled for the end of the term (POST .../reactivate): the case that
 * scheduled it records the reactivation and the customer is told.
 */
export function useReactivateSubscription() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      api.post<SubscriptionJson>(`/api/subscriptions/${encodeURIComponent(id)}/reactivate`),
    onSuccess: (s) =>
      Promise.all(
        [["subscriptions", s.accountId], ["subscription", s.id], ["cases"]].map((queryKey) =>
          client.invalidateQueries({ queryKey }),
        ),
      ),
  });
}

export function mayEditSubscriptions(role: string | undefined): boolean {
  return role === "admin";
}
