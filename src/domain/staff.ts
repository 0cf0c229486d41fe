// Staff of CancelDesk and what each role may do. The route table in the server declares, for
// every route, which of these roles may call it.

export const STAFF_ROLES = ["account_manager", "csm", "admin"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const STAFF_ROLE_LABELS: Record<StaffRole, string> = {
  account_manager: "Account manager",
  csm: "Customer success manager",
  admin: "Admin",
};

/** The two places a staff member holds on a case: its assigned AM and its assigned CSM. */
export type CaseSlot = "am" | "csm";

/** Who may hold a case's slot: a CSM the CSM's, an account manager or an admin the AM's. */
export function mayHoldCaseSlot(slot: CaseSlot, role: StaffRole | undefined): boolean {
  return slot === "csm" ? role === "csm" : role === "account_manager" || role === "admin";
}

export interface StaffUser {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  active: boolean;
  lockedUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Who is calling: a signed-in user, or another system through an API key acting with a role. */
export type Principal =
  | { kind: "user"; userId: string; role: StaffRole; name: string; sessionTokenHash: string }
  | { kind: "api_key"; apiKeyId: string; role: StaffRole; name: string };

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  role: StaffRole;
  createdBy: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}
