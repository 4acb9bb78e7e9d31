// Client routes. Screens load on first visit (their own chunks); a screen the user may not use says so instead.
import { lazy, type ReactNode } from 'react';
import { Navigate, createBrowserRouter, useRouteError } from 'react-router';
import { AppShell } from '../shell/app-shell';
import { EmptyState, SkeletonRows } from '../ui/misc';
import { ShieldAlert, SearchX } from 'lucide-react';
import { useAccess, type Permission } from './access';
import { homePath, visibleNav } from './nav';

const named = <T extends Record<string, unknown>, K extends keyof T>(load: () => Promise<T>, name: K) =>
  lazy(() => load().then((m) => ({ default: m[name] as React.ComponentType })));

const ContactsPage = named(() => import('../features/contacts/contacts-page'), 'ContactsPage');
const ContactDetailPage = named(() => import('../features/contacts/contact-detail-page'), 'ContactDetailPage');
const CompaniesPage = named(() => import('../features/companies/companies-page'), 'CompaniesPage');
const CompanyDetailPage = named(() => import('../features/companies/company-detail-page'), 'CompanyDetailPage');
const BoardPage = named(() => import('../features/deals/board-page'), 'BoardPage');
const DealDetailPage = named(() => import('../features/deals/deal-detail-page'), 'DealDetailPage');
const ForecastPage = named(() => import('../features/forecast/forecast-page'), 'ForecastPage');
const SalesDashboardPage = named(() => import('../features/dashboards/dashboard-page'), 'SalesDashboardPage');
const SupportDashboardPage = named(() => import('../features/dashboards/dashboard-page'), 'SupportDashboardPage');
const DrillDownPage = named(() => import('../features/dashboards/drill-down-page'), 'DrillDownPage');
const ImportsPage = named(() => import('../features/imports/imports-page'), 'ImportsPage');
const MyTasksPage = named(() => import('../features/tasks/my-tasks-page'), 'MyTasksPage');
const RulesPage = named(() => import('../features/automation/rules-page'), 'RulesPage');
const RuleEditorPage = named(() => import('../features/automation/rule-editor-page'), 'RuleEditorPage');
const WebhooksPage = named(() => import('../features/automation/webhooks-page'), 'WebhooksPage');
const WebhookDetailPage = named(() => import('../features/automation/webhook-detail-page'), 'WebhookDetailPage');
const FormsPage = named(() => import('../features/automation/forms-page'), 'FormsPage');
const FormEditorPage = named(() => import('../features/automation/form-editor-page'), 'FormEditorPage');
const PipelinesAdminPage = named(() => import('../features/admin/pipelines-admin-page'), 'PipelinesAdminPage');
const CustomFieldsAdminPage = named(
  () => import('../features/admin/custom-fields-admin-page'),
  'CustomFieldsAdminPage',
);
const TicketsPage = named(() => import('../features/tickets/tickets-page'), 'TicketsPage');
const TicketDetailPage = named(() => import('../features/tickets/ticket-detail-page'), 'TicketDetailPage');
const SlaAdminPage = named(() => import('../features/admin/sla-admin-page'), 'SlaAdminPage');
const MacrosAdminPage = named(() => import('../features/admin/macros-admin-page'), 'MacrosAdminPage');
const SettingsPage = named(() => import('../features/admin/settings-page'), 'SettingsPage');
const AccountPage = named(() => import('../features/admin/account-page'), 'AccountPage');

function Guard({ permission, children }: { permission: Permission; children: ReactNode }) {
  const access = useAccess();
  if (!access.ready)
    return (
      <div className="page">
        <SkeletonRows />
      </div>
    );
  if (!access.can(permission))
    return (
      <div className="page">
        <EmptyState icon={<ShieldAlert size={22} />} title="Not available to you">
          Your role does not include this screen. Ask an administrator if you need it.
        </EmptyState>
      </div>
    );
  return <>{children}</>;
}

function Home() {
  const access = useAccess();
  if (!access.ready)
    return (
      <div className="page">
        <SkeletonRows />
      </div>
    );
  return <Navigate to={homePath(visibleNav(access))} replace />;
}

function NotFound() {
  return (
    <div className="page">
      <EmptyState icon={<SearchX size={22} />} title="Nothing here">
        This address does not lead anywhere in the app.
      </EmptyState>
    </div>
  );
}

function RouteError() {
  const error = useRouteError();
  return (
    <div className="page">
      <EmptyState icon={<ShieldAlert size={22} />} title="This screen failed to load">
        {error instanceof Error ? error.message : 'Reload the page to try again.'}
      </EmptyState>
    </div>
  );
}

const guarded = (permission: Permission, element: ReactNode) => <Guard permission={permission}>{element}</Guard>;

export function createRouter() {
  return createBrowserRouter([
    {
      path: '/',
      element: <AppShell />,
      errorElement: <RouteError />,
      children: [
        { index: true, element: <Home /> },
        { path: 'contacts', element: guarded('contactsRead', <ContactsPage />) },
        { path: 'contacts/:id', element: guarded('contactsRead', <ContactDetailPage />) },
        { path: 'companies', element: guarded('contactsRead', <CompaniesPage />) },
        { path: 'companies/:id', element: guarded('contactsRead', <CompanyDetailPage />) },
        { path: 'deals', element: guarded('dealsRead', <BoardPage />) },
        { path: 'deals/:id', element: guarded('dealsRead', <DealDetailPage />) },
        { path: 'forecast', element: guarded('forecast', <ForecastPage />) },
        { path: 'dashboards/sales', element: guarded('reportsRead', <SalesDashboardPage />) },
        { path: 'dashboards/support', element: guarded('reportsRead', <SupportDashboardPage />) },
        { path: 'dashboards/:dashboard/records', element: guarded('reportsRead', <DrillDownPage />) },
        { path: 'imports', element: guarded('privacyAndBulk', <ImportsPage />) },
        { path: 'tasks', element: guarded('tasksRead', <MyTasksPage />) },
        { path: 'tickets', element: guarded('ticketsRead', <TicketsPage />) },
        { path: 'tickets/:id', element: guarded('ticketsRead', <TicketDetailPage />) },
        { path: 'admin/sla', element: guarded('admin', <SlaAdminPage />) },
        { path: 'admin/macros', element: guarded('macrosManage', <MacrosAdminPage />) },
        { path: 'automation/rules', element: guarded('workflowsRead', <RulesPage />) },
        { path: 'automation/rules/:id', element: guarded('workflowsRead', <RuleEditorPage />) },
        { path: 'automation/webhooks', element: guarded('webhooksRead', <WebhooksPage />) },
        { path: 'automation/webhooks/:id', element: guarded('webhooksRead', <WebhookDetailPage />) },
        { path: 'automation/forms', element: guarded('formsRead', <FormsPage />) },
        { path: 'automation/forms/:id', element: guarded('formsRead', <FormEditorPage />) },
        { path: 'admin/pipelines', element: guarded('admin', <PipelinesAdminPage />) },
        { path: 'admin/custom-fields', element: guarded('admin', <CustomFieldsAdminPage />) },
        { path: 'admin/settings', element: guarded('admin', <SettingsPage />) },
        { path: 'account', element: <AccountPage /> },
        { path: '*', element: <NotFound /> },
      ],
    },
  ]);
}
