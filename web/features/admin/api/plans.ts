// The plans on the admin screens (/api/plans): the whole catalog, a new plan, and a change to a
// plan's name, price, currency or whether it is on sale (its code never changes).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";
import type { Page, PlanJson } from "../../../lib/types.ts";

export interface PlanValues {
  name: string;
  monthlyPriceMinor: number;
  currency: string;
  active: boolean;
}

/** Every plan, on sale or not, a page at a time (plans are few: made by hand). */
export function useAllPlans() {
  return useQuery({
    queryKey: ["plans", "admin"],
    queryFn: async () => {
      const items: PlanJson[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<PlanJson> = await api.get<Page<PlanJson>>("/api/plans", {
          limit: 200,
          ...(cursor ? { cursor } : {}),
        });
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return { items };
    },
  });
}

export function useCreatePlan() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PlanValues & { code: string }) => api.post<PlanJson>("/api/plans", body),
    // Every list of plans (the new-case form, the queue's filter) sees it.
    onSuccess: () => client.invalidateQueries({ queryKey: ["plans"] }),
  });
}

export function useChangePlan() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; body: Partial<PlanValues> }) =>
      api.patch<PlanJson>(`/api/plans/${input.id}`, input.body),
    onSuccess: () => client.invalidateQueries({ queryKey: ["plans"] }),
  });
}
