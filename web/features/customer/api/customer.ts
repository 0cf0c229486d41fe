// The customer's calls: no sign-in, only the signed link in the URL or the self-service start.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRef } from "react";
import { ApiError, api } from "../../../lib/api-client.ts";
import { keyStillOpen, newIdempotencyKey } from "../../../lib/idempotency-key.ts";
import type { CustomerLinkView } from "../../../lib/types.ts";

export interface Done {
  reference: string;
  state: string;
  outcome: string | null;
  /**
   * The link was already used when this page's answer arrived: an earlier send from this page
   * whose reply was lost (or another tab) got there first, so what was recorded is not known here.
   */
  answeredBefore?: boolean;
}

export function useCustomerLink(token: string) {
  return useQuery({
    queryKey: ["link", token],
    queryFn: () => api.get<CustomerLinkView>(`/api/public/links/${encodeURIComponent(token)}`),
    retry: false,
    // Read once: once answered, the link is used, and reading it again (coming back to the tab)
    // would swap the confirmation for "this link has already been used".
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
}

/**
 * Sends a link's answer (the form, an offer answer, the survey) with an Idempotency-Key, so a
 * send whose reply was lost (a connection cut after the server got it) and is sent again gets
 * the first answer instead of "link already used". The key lives as long as the page and is kept
 * for the same answer until the server replies; an answer the server refused (a field to fix)
 * or a different answer is a new request with a new key. A "link already used" reply to a send
 * means the answer is in: the page shows it as done.
 */
export function useLinkAction<T>(
  token: string,
  action: "form" | "offer" | "feedback",
  reference: string,
) {
  const unanswered = useRef<{ body: string; key: string } | null>(null);
  const sending = useRef<Promise<Done> | null>(null);
  const send = async (body: T): Promise<Done> => {
    const text = JSON.stringify(body);
    if (unanswered.current?.body !== text)
      unanswered.current = { body: text, key: newIdempotencyKey() };
    try {
      const done = await api.post<Done>(
        `/api/public/links/${encodeURIComponent(token)}/${action}`,
        body,
        { idempotencyKey: unanswered.current.key },
      );
      unanswered.current = null;
      return done;
    } catch (error) {
      if (!keyStillOpen(error)) unanswered.current = null;
      if (error instanceof ApiError && error.code === "LINK_USED")
        return { reference, state: "", outcome: null, answeredBefore: true };
      throw error;
    }
  };
  return useMutation({
    // A second tap before the page has redrawn joins the send under way instead of racing it.
    mutationFn: (body: T): Promise<Done> => {
      sending.current ??= send(body).finally(() => {
        sending.current = null;
      });
      return sending.current;
    },
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
