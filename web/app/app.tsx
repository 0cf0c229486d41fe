// Providers (Mantine, React Query, notifications, the router) around the route table.
import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import "./print.css";
import { type CSSVariablesResolver, createTheme, MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClientProvider } from "@tanstack/react-query";
import { BrowserRouter } from "react-router";
import { watchSession } from "../features/auth/api/session.ts";
import { createQueryClient } from "./query-client.ts";
import { AppRoutes } from "./routes.tsx";

const theme = createTheme({
  primaryColor: "indigo",
  // Darker shades than the defaults keep text on light fills above WCAG AA contrast.
  primaryShade: 8,
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
});

// Mantine's default "dimmed" grey and the text of its light (tinted) variants are below WCAG AA
// contrast on white for several colours; use darker shades of the same colours.
const TINTED_TEXT: Record<string, string> = {
  red: "#a51111",
  orange: "#8a3200",
  yellow: "#6b4e00",
  green: "#1e6b2a",
  teal: "#0b5e52",
  cyan: "#0b5566",
  blue: "#114a87",
  indigo: "#2f3a9e",
  grape: "#7a1f87",
  gray: "#343a40",
  dark: "#1a1b1e",
};
const resolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    "--mantine-color-dimmed": "#495057",
    // Field errors (the message under a field, and its border) in a red that passes AA on white.
    "--mantine-color-error": "#c92a2a",
    ...Object.fromEntries(
      Object.entries(TINTED_TEXT).map(([c, hex]) => [`--mantine-color-${c}-light-color`, hex]),
    ),
  },
  dark: {},
});

const queryClient = createQueryClient();
watchSession(queryClient);

export function App() {
  return (
    <MantineProvider theme={theme} defaultColorScheme="light" cssVariablesResolver={resolver}>
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <AppRoutes />
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  );
}
