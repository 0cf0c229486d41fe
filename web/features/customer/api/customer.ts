// The customer's calls: no sign-in, only the signed link in the URL or the self-service start.
import { useMutation, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";
import type { CustomerLinkView } from "../../../lib/types.ts";

export interface Done {
  reference: string;
  state: string;
  outcome: string | null;
}

export function useCustomerLink(token: string) {
  return useQuery({
    queryKey: ["link", token],
    queryFn: () => api.get<CustomerLinkView>(`/api/public/links/${encodeURIComponent(token)}`),
    retry: false,
  });
}

export function useLinkAction<T>(token: string, action: "form" | "offer" | "feedback") {
  return useMutation({
    mutationFn: (body: T) =>
      api.post<Done>(`/api/public/links/${encodeURIComponent(token)}/${action}`, body),
  });
}

export function useStartSelfService() {
  return useMutation({
    mutationFn: (email: string) =>
      api.post<{ message: string }>("/api/public/self-service/start", { email }),
  });
}

export function useVerifySelfService() {
  return useMutation({
    mutationFn: (input: { email: string; code: string }) =>
      api.post<{ reference: string; formToken: string }>("/api/public/self-service/verify", input),
  });
}

export interface Branding {
  companyName: string;
  logoUrl: string | null;
}

/** The company's name and logo for the customer pages (admins set them in Settings). */
export function useBranding() {
  return useQuery({
    queryKey: ["branding"],
    queryFn: () => api.get<Branding>("/api/public/branding"),
    staleTime: 5 * 60_000,
    retry: false,
  });
}

/** Identity code entry: the case reference and the code from the customer's message. */
export function useConfirmIdentityCode() {
  return useMutation({
    mutationFn: (input: { reference: string; contact: string; code: string }) =>
      api.post<{ reference: string }>("/api/public/identity/confirm-code", input),
  });
}
