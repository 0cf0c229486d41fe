// Sign-in, sign-out and the current session; the session answer carries the CSRF token. A session
// that ends under the user (12 hours, deactivation, a role change, signing out elsewhere) is
// noticed on the first 401: the desk stays as it was, drafts included, under a sign-in dialog.
import { type QueryClient, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, api, setCsrfToken, setSessionHandlers } from "../../../lib/api-client.ts";
import type { Session, UserJson } from "../../../lib/types.ts";

export const sessionKey = ["session"] as const;
/** The user whose session ended under them, until someone signs in again. */
export const endedSessionKey = ["session-ended"] as const;

/** Every query but the session's own two (who is signed in, who was). */
const notTheSession = (query: { queryKey: readonly unknown[] }) =>
  query.queryKey[0] !== sessionKey[0] && query.queryKey[0] !== endedSessionKey[0];

/** A new user must not see the previous user's data; the session query keeps its observers. */
function forgetEverythingButTheSession(client: QueryClient) {
  client.removeQueries({ predicate: notTheSession });
}

async function fetchSession(): Promise<Session | null> {
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
}

/** The server said the session is over: keep who it was, and show the sign-in. */
function endSession(client: QueryClient, user: UserJson | undefined) {
  if (user && !client.getQueryData(endedSessionKey)) client.setQueryData(endedSessionKey, user);
  setCsrfToken(null);
  client.setQueryData(sessionKey, null);
}

/**
 * A session again, by signing in here or in another tab: the same user carries on where they
 * were (everything reloads), anyone else starts clean.
 */
function resumeSession(client: QueryClient, session: Session) {
  const ended = client.getQueryData<UserJson | null>(endedSessionKey);
  client.setQueryData(endedSessionKey, null);
  if (ended?.id === session.user.id) {
    client.invalidateQueries({ predicate: notTheSession });
  } else {
    forgetEverythingButTheSession(client);
  }
}

/** Lets the API client end the session on a 401 and renew a stale CSRF token. */
export function watchSession(client: QueryClient): void {
  setSessionHandlers({
    onUnauthenticated: () =>
      endSession(client, client.getQueryData<Session | null>(sessionKey)?.user),
    renewCsrfToken: async () => {
      const before = client.getQueryData<Session | null>(sessionKey)?.user;
      const session = await client.fetchQuery({ queryKey: sessionKey, queryFn: fetchSession });
      // Only the same person's write goes again: someone else signed in on this browser (another
      // tab) must not have it sent under their name. The desk asks who is there instead.
      if (!session || (before !== undefined && session.user.id !== before.id)) {
        endSession(client, before);
        return false;
      }
      return true;
    },
  });
}

export function useSession() {
  const client = useQueryClient();
  return useQuery({
    queryKey: sessionKey,
    queryFn: async () => {
      const session = await fetchSession();
      if (session && client.getQueryData(endedSessionKey)) resumeSession(client, session);
      return session;
    },
    staleTime: 60_000,
  });
}

/** Who was signed in when the session ended under them, or null. */
export function useEndedSession(): UserJson | null {
  return (
    useQuery({
      queryKey: endedSessionKey,
      queryFn: () => null as UserJson | null,
      initialData: null,
      staleTime: Number.POSITIVE_INFINITY,
    }).data ?? null
  );
}

export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { email: string; password: string }) =>
      api.post<Session>("/api/auth/sign-in", input),
    onSuccess: (session) => {
      setCsrfToken(session.csrfToken);
      client.setQueryData(sessionKey, session);
      resumeSession(client, session);
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
      client.setQueryData(endedSessionKey, null);
      forgetEverythingButTheSession(client);
    },
  });
}
