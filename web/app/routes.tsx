// The browser's routes: the customer's pages, and the staff desk behind sign-in. The desk is its
// own chunk, loaded only when a staff page opens, so a customer on a phone following a link
// downloads the customer pages alone.
import { lazy, Suspense } from "react";
import { Route, Routes } from "react-router";
import { Loading } from "../components/loading.tsx";
import { CustomerLinkPage } from "../features/customer/components/customer-link-page.tsx";
import { IdentityCodeEntry } from "../features/customer/components/identity-code-entry.tsx";
import { SelfServiceStart } from "../features/customer/components/self-service-start.tsx";

const StaffArea = lazy(() => import("./staff-area.tsx"));

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/cancel" element={<SelfServiceStart />} />
      <Route path="/c/:token" element={<CustomerLinkPage />} />
      <Route path="/verify" element={<IdentityCodeEntry />} />
      <Route
        path="/*"
        element={
          <Suspense fallback={<Loading />}>
            <StaffArea />
          </Suspense>
        }
      />
    </Routes>
  );
}
