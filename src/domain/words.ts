// How channels and counts are said in a sentence, in one place: the engine's evidence, the
// scripts it fills and the staff desk say "text message" and "twice" the same way.
import type { ConfirmationChannel, RequestChannel } from "./case.ts";

/** How a form link or a confirmation travels. */
export const CONFIRMATION_CHANNEL_WORDS: Record<ConfirmationChannel, string> = {
  email: "email",
  sms: "text message",
  phone: "phone",
};

/** How a request came in. */
export const REQUEST_CHANNEL_WORDS: Record<RequestChannel, string> = {
  phone: "phone",
  email: "email",
  chat: "chat",
  portal: "the portal",
  api: "the API",
};

/** "once", "twice", "3 times". */
export function timesWords(count: number): string {
  return count === 1 ? "once" : count === 2 ? "twice" : `${count} times`;
}
