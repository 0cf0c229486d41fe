// Webhook endpoints and their delivery log (/api/webhooks): register, turn off and on, rotate the
// signing secret, delete, and send a delivery's event again. The secret is in the answer to a
// create or a rotation only.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";
import type { Page } from "../../../lib/types.ts";

/** The events an endpoint can subscribe to, as the API names them (README "Webhooks"). */
export const WEBHOOK_EVENTS = [
  "case.opened",
  "case.identity_verified",
  "case.form_submitted",
  "case.escalated",
  "case.retained",
  "cancellation.processed",
  "subscription.reactivated",
  "case.closed",
] as const;

export interface WebhookEndpointJson {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  /** The last 4 characters of the signing secret. */
  secretHint: string;
  active: boolean;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A create or a rotation: the endpoint with its signing secret, shown this once. */
export type EndpointWithSecret = WebhookEndpointJson & { secret: string };

export type DeliveryStatus = "pending" | "sending" | "delivered" | "failed";

export interface WebhookDeliveryJson {
  id: string;
  endpointId: string;
  caseId: string | null;
  eventId: string;
  topic: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  replayOf: string | null;
  createdAt: string;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
}

/** How many of an endpoint's deliveries the page shows, newest first. */
export const RECENT_DELIVERIES = 20;

const ENDPOINTS = ["webhook-endpoints"];
const DELIVERIES = ["webhook-deliveries"];

export function useWebhookEndpoints() {
  return useQuery({
    queryKey: ENDPOINTS,
    queryFn: () => api.get<{ items: WebhookEndpointJson[] }>("/api/webhooks/endpoints"),
  });
}

export function useCreateWebhookEndpoint() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { url: string; description: string | null; events: string[] }) =>
      api.post<EndpointWithSecret>("/api/webhooks/endpoints", body),
    onSuccess: () => client.invalidateQueries({ queryKey: ENDPOINTS }),
  });
}

export function useSetWebhookEndpointActive() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; active: boolean }) =>
      api.patch<WebhookEndpointJson>(`/api/webhooks/endpoints/${input.id}`, {
        active: input.active,
      }),
    onSettled: () => client.invalidateQueries({ queryKey: ENDPOINTS }),
  });
}

export function useRotateWebhookSecret() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      api.post<EndpointWithSecret>(`/api/webhooks/endpoints/${id}/rotate-secret`),
    onSettled: () => client.invalidateQueries({ queryKey: ENDPOINTS }),
  });
}

export function useDeleteWebhookEndpoint() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (endpoint: WebhookEndpointJson) =>
      api.delete<void>(`/api/webhooks/endpoints/${endpoint.id}`),
    onSettled: () => {
      client.invalidateQueries({ queryKey: ENDPOINTS });
      // Deleting fails the endpoint's waiting deliveries.
      client.invalidateQueries({ queryKey: DELIVERIES });
    },
  });
}

/** One endpoint's most recent deliveries, newest first, optionally of one status. */
export function useWebhookDeliveries(endpointId: string, status: DeliveryStatus | null) {
  return useQuery({
    queryKey: [...DELIVERIES, endpointId, status],
    queryFn: () =>
      api.get<Page<WebhookDeliveryJson>>("/api/webhooks/deliveries", {
        endpointId,
        status,
        limit: RECENT_DELIVERIES,
      }),
  });
}

export function useReplayWebhookDelivery() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (delivery: WebhookDeliveryJson) =>
      api.post<{ deliveryId: string }>(`/api/webhooks/deliveries/${delivery.id}/replay`),
    onSettled: () => client.invalidateQueries({ queryKey: DELIVERIES }),
  });
}
