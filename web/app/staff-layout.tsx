// The staff desk's frame: header with the signed-in user, navigation that follows the role.
import { AppShell, Burger, Button, Group, NavLink, Stack, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import type { ReactNode } from "react";
import { Link, useLocation } from "react-router";
import { useSignOut } from "../features/auth/api/session.ts";
import { ROLE_LABELS } from "../lib/format.ts";
import type { UserJson } from "../lib/types.ts";

const STAFF_LINKS = [
  { to: "/queues", label: "Queues" },
  { to: "/cases/new", label: "New case" },
  { to: "/accounts", label: "Accounts" },
  { to: "/analytics", label: "Analytics" },
  { to: "/policy", label: "Policy article" },
];
const ADMIN_LINKS = [
  { to: "/admin/users", label: "Users and roles" },
  { to: "/admin/api-keys", label: "API keys" },
  { to: "/admin/policy", label: "Policy settings" },
  { to: "/admin/plans", label: "Plans" },
  { to: "/admin/webhooks", label: "Webhooks" },
  { to: "/admin/settings", label: "Settings" },
  { to: "/admin/import", label: "Import from CSV" },
  { to: "/admin/audit", label: "Audit chain" },
  { to: "/admin/mailbox", label: "Dev mailbox" },
];

export function StaffLayout({ user, children }: { user: UserJson; children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const signOut = useSignOut();
  const link = (l: { to: string; label: string }) => (
    <NavLink
      key={l.to}
      component={Link}
      to={l.to}
      label={l.label}
      active={
        location.pathname === l.to ||
        (l.to === "/queues" &&
          location.pathname.startsWith("/cases/") &&
          location.pathname !== "/cases/new")
      }
      onClick={close}
    />
  );
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Title order={2} size="h4">
              CancelDesk
            </Title>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" visibleFrom="xs">
              {user.name} · {ROLE_LABELS[user.role]}
            </Text>
            <Button variant="default" size="xs" onClick={() => signOut.mutate()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        <Stack gap={2} component="nav" aria-label="Staff desk">
          {STAFF_LINKS.map(link)}
          {user.role === "admin" ? (
            <>
              <Text size="xs" fw={700} c="dimmed" mt="md" px="sm">
                Admin
              </Text>
              {ADMIN_LINKS.map(link)}
            </>
          ) : null}
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
