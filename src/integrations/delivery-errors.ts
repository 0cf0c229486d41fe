// How a transport says a message could not go out. A permanent failure (no address on file, a
// recipient the provider refuses for good) is not retried; anything else is, with backoff.

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = "DeliveryError";
  }
}

export function permanentFailure(message: string): DeliveryError {
  return new DeliveryError(message, true);
}

export function isPermanent(error: unknown): boolean {
  return error instanceof DeliveryError && error.permanent;
}

const ADDRESS = /[^\s<>"'(),;:]+@[^\s<>"'(),;:]+\.[^\s<>"'(),;:]+/g;

/**
 * A provider's refusal quotes the recipient ("550 <dana@acme.example>: Recipient address
 * rejected"): a log line is no place for a customer's address, and erasing their data cannot
 * reach it there.
 */
export function withoutAddresses(text: string): string {
  return text.replace(ADDRESS, "[address]");
}
