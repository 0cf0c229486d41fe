// The offer picker: only the offers the engine lets this user present on this case now (from
// GET /api/cases/:id/offer-options), each with its effect on the monthly value as the server
// computes it. Custom offers need written terms. A discount offer says so when the subscription
// already has a discount running: billing keeps one, so accepting this one replaces it.
import { Button, Checkbox, Loader, Paper, Radio, Stack, Text, Textarea } from "@mantine/core";
import { useState } from "react";
import { formatDateInWords, formatMoney } from "../../../lib/format.ts";
import type { OfferOption, RunningDiscountJson } from "../../../lib/types.ts";

export function describeEffect(option: OfferOption): string {
  const e = option.effect;
  const before = formatMoney(e.monthlyValueBeforeMinor, e.currency);
  // A custom offer is whatever its written terms say: nothing to compute before they exist.
  if (option.kind === "custom") return `decided by the terms you write (now ${before}/month)`;
  if (e.oneTimeCreditMinor > 0)
    return `${before}/month unchanged; worth ${formatMoney(e.oneTimeCreditMinor, e.currency)} once`;
  if (e.monthlyValueDuringMinor === null) return `${before}/month → new plan's price (unknown)`;
  if (
    e.monthlyValueDuringMinor === e.monthlyValueBeforeMinor &&
    e.monthlyValueAfterMinor === e.monthlyValueBeforeMinor
  )
    return `${before}/month unchanged`;
  const during = formatMoney(e.monthlyValueDuringMinor, e.currency);
  if (e.durationMonths)
    return `${before}/month → ${during}/month for ${e.durationMonths} month${e.durationMonths === 1 ? "" : "s"}, then ${formatMoney(e.monthlyValueAfterMinor, e.currency)}`;
  return `${before}/month → ${during}/month`;
}

/** The discount already running that an offer would replace, in words; null when none. */
export function describeReplacedDiscount(
  d: RunningDiscountJson | null,
  currency: string,
): string | null {
  if (!d) return null;
  return `Already ${d.percent}% off until ${formatDateInWords(d.endsAt)} (${formatMoney(d.monthlyValueMinor, currency)}/month): accepting this replaces that discount, the two do not add up.`;
}

export interface OfferPickerProps {
  /** Undefined while the list is loading (it reloads whenever the case changes). */
  options: OfferOption[] | undefined;
  busy?: boolean;
  onPresent: (input: {
    offerCode: string;
    customTerms: string | null;
    sendToCustomer: boolean;
  }) => void;
}

export function OfferPicker({ options, busy, onPresent }: OfferPickerProps) {
  const [code, setCode] = useState<string | null>(null);
  const [terms, setTerms] = useState("");
  const [send, setSend] = useState(true);
  if (options === undefined)
    return <Loader size="sm" role="status" aria-label="Loading the eligible offers" />;
  const chosen = options.find((o) => o.code === code);
  if (options.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No offer in the catalog is open to this case now.
      </Text>
    );
  return (
    <Stack gap="sm">
      <Radio.Group label="Eligible offers" value={code} onChange={setCode} name="offer">
        <Stack gap="xs" mt="xs">
          {options.map((o) => (
            <Paper key={o.code} withBorder p="sm">
              <Radio
                value={o.code}
                label={
                  <Text fw={600} size="sm">
                    {o.label}
                  </Text>
                }
                description={
                  <>
                    <Text size="sm" component="span" display="block">
                      {o.description}
                    </Text>
                    <Text
                      size="sm"
                      component="span"
                      display="block"
                      fw={500}
                      data-testid={`effect-${o.code}`}
                    >
                      Effect: {describeEffect(o)}
                    </Text>
                    {o.replacesDiscount ? (
                      <Text
                        size="sm"
                        component="span"
                        display="block"
                        c="orange.9"
                        data-testid={`replaces-${o.code}`}
                      >
                        {describeReplacedDiscount(o.replacesDiscount, o.effect.currency)}
                      </Text>
                    ) : null}
                  </>
                }
              />
            </Paper>
          ))}
        </Stack>
      </Radio.Group>
      {chosen?.kind === "custom" ? (
        <Textarea
          label="Terms of the custom offer"
          required
          value={terms}
          onChange={(e) => setTerms(e.currentTarget.value)}
        />
      ) : null}
      <Checkbox
        label="Also send the customer a link to answer online"
        checked={send}
        onChange={(e) => setSend(e.currentTarget.checked)}
      />
      <Button
        disabled={!chosen}
        loading={busy}
        onClick={() =>
          chosen &&
          onPresent({
            offerCode: chosen.code,
            customTerms: chosen.kind === "custom" ? terms : null,
            sendToCustomer: send,
          })
        }
      >
        Present offer
      </Button>
    </Stack>
  );
}
