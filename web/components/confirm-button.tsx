// A button for an action that cannot be undone: it asks first, in a dialog that says what will
// happen, and only the dialog's own button does it.
import { Button, type ButtonProps, Group, Modal, Stack, Text } from "@mantine/core";
import { type ReactNode, useState } from "react";

export interface ConfirmButtonProps extends ButtonProps {
  children: ReactNode;
  /** The dialog's title: the question, naming what it acts on. */
  title: string;
  /** What will happen, in plain words. */
  message: ReactNode;
  /** The dialog's button that does it. */
  confirmLabel: string;
  onConfirm: () => void;
  /** Accessible name of the button that opens the dialog, when its text alone is ambiguous. */
  "aria-label"?: string;
}

export function ConfirmButton({
  title,
  message,
  confirmLabel,
  onConfirm,
  children,
  ...button
}: ConfirmButtonProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button {...button} onClick={() => setOpen(true)}>
        {children}
      </Button>
      <Modal
        opened={open}
        onClose={() => setOpen(false)}
        title={title}
        centered
        closeButtonProps={{ "aria-label": "Close" }}
        // A title naming a long URL wraps instead of widening the dialog past a phone's screen.
        styles={{ title: { overflowWrap: "anywhere" } }}
      >
        <Stack>
          <Text size="sm" component="div">
            {message}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              Go back
            </Button>
            <Button
              color="red"
              onClick={() => {
                setOpen(false);
                onConfirm();
              }}
            >
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
