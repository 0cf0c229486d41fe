// Admin: the company's name and logo the customer pages show, and how long a save must hold
// before the analytics count it.
import {
  Alert,
  Button,
  Group,
  Image,
  Loader,
  NumberInput,
  Paper,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { type FormEvent, useState } from "react";
import { ErrorPanel } from "../../../components/error-panel.tsx";
import { ApiError } from "../../../lib/api-client.ts";
import { useSaveSettings, useSettings, type WorkspaceSettings } from "../api/settings.ts";

export function SettingsAdmin() {
  const settings = useSettings();
  if (settings.isPending) return <Loader role="status" aria-label="Loading the settings" />;
  if (settings.error && !settings.data) return <ErrorPanel error={settings.error} />;
  return <SettingsForm stored={settings.data} />;
}

function SettingsForm({ stored }: { stored: WorkspaceSettings }) {
  const save = useSaveSettings();
  const [companyName, setCompanyName] = useState(stored.companyName);
  const [logoUrl, setLogoUrl] = useState(stored.logoUrl ?? "");
  const [days, setDays] = useState<number | string>(stored.saveValidationDays);
  const error = save.error instanceof ApiError ? save.error : null;
  const field = (name: string) => error?.fieldMessage(name);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({
      companyName,
      logoUrl: logoUrl.trim() === "" ? null : logoUrl.trim(),
      saveValidationDays: typeof days === "number" ? days : Number(days),
    });
  };

  return (
    <Stack maw={640}>
      <Title order={1}>Settings</Title>
      <form onSubmit={submit} noValidate>
        <Stack>
          {save.isSuccess ? (
            <Alert color="green" role="status">
              Settings saved. The customer pages show them from now on.
            </Alert>
          ) : null}
          {save.error && !error?.fields.length ? (
            <Alert color="red" role="alert">
              {save.error.message}
            </Alert>
          ) : null}
          <Paper withBorder p="md">
            <Stack>
              <Title order={2} size="h4">
                Customer pages
              </Title>
              <TextInput
                label="Company name"
                description="Shown at the top of every customer page and in their wording"
                required
                value={companyName}
                onChange={(e) => setCompanyName(e.currentTarget.value)}
                error={field("companyName")}
              />
              <TextInput
                label="Logo URL"
                description="An https: address of an image, or a data:image URL; leave empty for the name alone"
                value={logoUrl}
                onChange={(e) => setLogoUrl(e.currentTarget.value)}
                error={field("logoUrl")}
              />
              {stored.logoUrl ? (
                <Group gap="sm">
                  <Text size="sm">Current logo:</Text>
                  <Image
                    src={stored.logoUrl}
                    alt="The current logo"
                    h={40}
                    w="auto"
                    fit="contain"
                  />
                </Group>
              ) : null}
            </Stack>
          </Paper>
          <Paper withBorder p="md">
            <Stack>
              <Title order={2} size="h4">
                Analytics
              </Title>
              <NumberInput
                label="Save validation period (days)"
                description="Analytics count a save only if the customer is still subscribed this many days after it (0 to 365)"
                min={0}
                max={365}
                // A number out of range is named by the server, not quietly changed to 365.
                clampBehavior="none"
                allowDecimal={false}
                value={days}
                onChange={setDays}
                error={field("saveValidationDays")}
              />
            </Stack>
          </Paper>
          <Group>
            <Button type="submit" loading={save.isPending}>
              Save settings
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
