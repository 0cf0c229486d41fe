// Sign-in, sign-out and the current session; the session answer carries the CSRF token.
import { type QueryClient, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, api, setCsrfToken } from "../../../lib/api-client.ts";
import type { Session } from "../../../lib/types.ts";

export const sessionKey = ["session"] as const;

/** A new user must not see the previous user's data; the session query keeps its observers. */
function forgetEverythingButTheSession(client: QueryClient) {
  client.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionKey[0] });
}

export function useSession() {
  return useQuery({
    queryKey: sessionKey,
    queryFn: async (): Promise<Session | null> => {
      try {
        const session = await api.get<Session>("/api/auth/session");
        setCsrfToken(session.csrfToken);
        return session;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          setCsrfToken(null);
          return null;
        }
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { email: string; password: string }) =>
      api.post<Session>("/api/auth/sign-in", input),
    onSuccess: (session) => {
      setCsrfToken(session.csrfToken);
      client.setQueryData(sessionKey, session);
      forgetEverythingButTheSession(client);
    },
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<void>("/api/auth/sign-out"),
    onSettled: () => {
      setCsrfToken(null);
      client.setQueryData(sessionKey, null);
      forgetEverythingButTheSession(client);
    },
  });
}
