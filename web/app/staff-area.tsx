import { Navigate, Route, Routes } from "react-router";
import { ErrorPanel } from "../components/error-panel.tsx";
import { Loading } from "../components/loading.tsx";
import { NotAllowed, NotFoundPage } from "../components/not-found.tsx";
import { AccountPage } from "../features/accounts/components/account-page.tsx";
import { AccountsPage } from "../features/accounts/components/accounts-page.tsx";
import { ApiKeysAdmin } from "../features/admin/components/api-keys-admin.tsx";
import { DevMailbox } from "../features/admin/components/dev-mailbox.tsx";
import { ImportAdmin } from "../features/admin/components/import-admin.tsx";
import { PlansAdmin } from "../features/admin/components/plans-admin.tsx";
import { PolicyAdmin } from "../features/admin/components/policy-admin.tsx";
import { SettingsAdmin } from "../features/admin/components/settings-admin.tsx";
import { UsersAdmin } from "../features/admin/components/users-admin.tsx";
import { WebhooksAdmin } from "../features/admin/components/webhooks-admin.tsx";
import { AnalyticsCasesPage } from "../features/analytics/components/analytics-cases-page.tsx";
import { AnalyticsPage } from "../features/analytics/components/analytics-page.tsx";
import { useEndedSession, useSession } from "../features/auth/api/session.ts";
import { SessionEndedDialog, SignInPage } from "../features/auth/components/sign-in-page.tsx";
import { CaseWorkspace } from "../features/cases/components/case-workspace.tsx";
import { NewCasePage } from "../features/cases/components/new-case-page.tsx";
import { QueuePage } from "../features/cases/components/queue-page.tsx";
import { AuditVerifyPage } from "../features/documentation/components/audit-verify-page.tsx";
import { CaseDocumentationPage } from "../features/documentation/components/case-documentation-page.tsx";
import { PolicyArticle } from "../features/policy/components/policy-article.tsx";
import type { UserJson } from "../lib/types.ts";
import { StaffLayout } from "./staff-layout.tsx";

export default function StaffArea() {
  const session = useSession();
  const ended = useEndedSession();
  if (session.isPending) return <Loading />;
  if (session.error && !session.data) return <ErrorPanel error={session.error} />;
  // A session that ended under the user keeps the desk (this URL, drafts) under a sign-in dialog.
  const user = session.data?.user ?? ended;
  if (!user) return <SignInPage />;
  const isAdmin = user.role === "admin";
  return (
    <>
      <StaffDesk user={user} isAdmin={isAdmin} />
      {session.data ? null : <SessionEndedDialog user={user} />}
    </>
  );
}

/** The signed-in desk; another user gets a fresh one (the key), the same user keeps theirs. */
function StaffDesk({ user, isAdmin }: { user: UserJson; isAdmin: boolean }) {
  return (
    <StaffLayout key={user.id} user={user}>
      <Routes>
        <Route index element={<Navigate to="/queues" replace />} />
        <Route path="queues" element={<QueuePage user={user} />} />
        <Route path="cases/new" element={<NewCasePage />} />
        <Route path="cases/:id" element={<CaseWorkspace user={user} />} />
        <Route path="cases/:id/documentation" element={<CaseDocumentationPage />} />
        <Route path="accounts" element={<AccountsPage />} />
        <Route path="accounts/:id" element={<AccountPage />} />
        <Route path="policy" element={<PolicyArticle />} />
        <Route path="analytics" element={<AnalyticsPage />} />
        <Route path="analytics/cases" element={<AnalyticsCasesPage />} />
        <Route path="admin/users" element={isAdmin ? <UsersAdmin /> : <NotAllowed />} />
        <Route path="admin/api-keys" element={isAdmin ? <ApiKeysAdmin /> : <NotAllowed />} />
        <Route path="admin/policy" element={isAdmin ? <PolicyAdmin /> : <NotAllowed />} />
        <Route path="admin/mailbox" element={isAdmin ? <DevMailbox /> : <NotAllowed />} />
        <Route path="admin/audit" element={isAdmin ? <AuditVerifyPage /> : <NotAllowed />} />
        <Route path="admin/settings" element={isAdmin ? <SettingsAdmin /> : <NotAllowed />} />
        <Route path="admin/import" element={isAdmin ? <ImportAdmin /> : <NotAllowed />} />
        <Route path="admin/plans" element={isAdmin ? <PlansAdmin /> : <NotAllowed />} />
        <Route path="admin/webhooks" element={isAdmin ? <WebhooksAdmin /> : <NotAllowed />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </StaffLayout>
  );
}
