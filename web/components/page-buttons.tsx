// The previous/next buttons of a list paged by cursor (the API's `nextCursor`): `cursors` is the
// stack of cursors of the pages opened so far, so "previous" pops it and "next" pushes.
import { Button, Group } from "@mantine/core";
import type { ReactNode } from "react";

export function PageButtons({
  cursors,
  onChange,
  nextCursor,
  children,
}: {
  cursors: string[];
  onChange: (cursors: string[]) => void;
  nextCursor: string | null | undefined;
  /** Shown after the buttons (the page number, a total). */
  children?: ReactNode;
}) {
  return (
    <Group>
      <Button
        variant="default"
        disabled={cursors.length === 0}
        onClick={() => onChange(cursors.slice(0, -1))}
      >
        Previous page
      </Button>
      <Button
        variant="default"
        disabled={!nextCursor}
        onClick={() => nextCursor && onChange([...cursors, nextCursor])}
      >
        Next page
      </Button>
      {children}
    </Group>
  );
}
