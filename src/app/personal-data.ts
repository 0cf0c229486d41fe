// What erasing a contact's personal data does to a stored document (a case, an audit body, an
// outgoing message): free text is replaced, and any other string that quotes the contact's name,
// email or phone has those words replaced. Codes, ids, numbers, instants and outcomes stay, so
// the figures (counts, reasons, outcomes, values) come out the same after an erasure:
// - the words are replaced only where they stand on their own, never inside a longer word (a
//   contact named Ali leaves the reason code `low_quality` as it is);
// - strings under keys that hold ids, codes, references, nonces or hashes are never touched (a
//   four-letter name such as "Abba" could otherwise be a group of a UUID).

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

/** Keys whose values are identifiers or codes, never words about anyone. */
const STRUCTURAL_KEY =
  /^(id|ids|code|codes|reference|hash|prevHash|nonce)$|(Id|Ids|Code|Codes|Nonce|Hash)$/;

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

/**
 * Replaces every occurrence of the words in `text` that stands on its own (no letter, digit or
 * underscore right before or after it), ignoring case.
 */
export function redactText(text: string, words: readonly string[]): string {
  if (words.length === 0) return text;
  const pattern = new RegExp(
    `(?<![\\p{L}\\p{N}_])(?:${words.map(escapeRegExp).join("|")})(?![\\p{L}\\p{N}_])`,
    "giu",
  );
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
      if (key !== null && STRUCTURAL_KEY.test(key)) return v;
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
