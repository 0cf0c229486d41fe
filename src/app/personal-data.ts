// What erasing a contact's personal data does to a stored document (a case, an audit body, an
// outgoing message): free text is replaced, and any other string that quotes the contact's name,
// email or phone has those words replaced. Codes, ids, numbers, instants and outcomes stay, so
// the figures (counts, reasons, outcomes, values) come out the same after an erasure.

export const ERASED = "[erased]";
export const ERASED_CONTACT_NAME = "Erased contact";

/** Keys whose string values are free text written by or about the customer. */
const FREE_TEXT_KEYS: ReadonlySet<string> = new Set([
  "details",
  "formDetails",
  "notes",
  "text",
  "comments",
  "reason",
  "summary",
  "customTerms",
  "securityCheckFacts",
  "engagementNotes",
  "outcomeNotes",
  "callNotes",
  "email",
  "phone",
]);

/** The contact's words worth looking for (short ones would match too much). */
export function personalWords(contact: {
  name: string;
  email: string | null;
  phone: string | null;
}): string[] {
  return [contact.name, contact.email, contact.phone].filter(
    (w): w is string => typeof w === "string" && w.trim().length >= 3,
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Replaces every occurrence of the words in `text`, ignoring case. */
export function redactText(text: string, words: readonly string[]): string {
  if (words.length === 0) return text;
  const pattern = new RegExp(words.map(escapeRegExp).join("|"), "gi");
  return text.replace(pattern, ERASED);
}

/**
 * A copy of `value` with free text (non-empty strings under FREE_TEXT_KEYS) replaced by
 * "[erased]" and the contact's words replaced in every other string.
 */
export function redactPersonalData(value: unknown, words: readonly string[]): unknown {
  const walk = (v: unknown, key: string | null): unknown => {
    if (typeof v === "string") {
      if (key !== null && FREE_TEXT_KEYS.has(key) && v.trim() !== "") return ERASED;
      return redactText(v, words);
    }
    if (Array.isArray(v)) return v.map((item) => walk(item, key));
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([k, item]) => [k, walk(item, k)]),
      );
    }
    return v;
  };
  return walk(value, null);
}
