// The web app's one QueryClient and its defaults, shared with the component tests.
import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "../lib/api-client.ts";

/**
 * The desk's query defaults. Coming back to the tab reloads what is on screen (stale data is
 * where another person's change hides); the queues and the open case also poll while visible
 * (see LIVE_REFRESH_MS in features/cases/api/cases.ts).
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
        refetchOnWindowFocus: true,
      },
    },
  });
}
