// The screens of the app as the navigation lists them. Each names the permission (from /api/v1/me) and the API
// operation it needs; a screen whose service is not deployed yet, or that the user may not use, is not shown.
import {
  Building2,
  CalendarClock,
  Inbox,
  Wand2,
  ChartLine,
  ChartNoAxesColumn,
  Gauge,
  FormInput,
  Handshake,
  ListChecks,
  ListTodo,
  SlidersHorizontal,
  SquareKanban,
  Upload,
  Users,
  Webhook,
  Workflow,
  type LucideIcon,
} from 'lucide-react';
import type { Access, Permission } from './access';

export type NavSection = 'Sales' | 'Support' | 'Automation' | 'Insights' | 'Admin';

export interface NavItem {
  to: string;
  label: string;
  icon: LucideIcon;
  section: NavSection;
  permission: Permission;
  /** An operation of the API this screen cannot work without, e.g. "GET /api/v1/tickets". */
  requires: string;
  /** Shown in the phone's bottom bar. */
  mobile?: boolean;
}

export const NAV_ITEMS: readonly NavItem[] = [
  {
    to: '/deals',
    label: 'Deals',
    icon: SquareKanban,
    section: 'Sales',
    permission: 'dealsRead',
    requires: 'GET /api/v1/pipelines/{id}/board',
    mobile: true,
  },
  {
    to: '/tickets',
    label: 'Tickets',
    icon: Inbox,
    section: 'Support',
    // Support roles work the queues; sales people reach their contacts' tickets from the contact.
    permission: 'ticketsCurate',
    requires: 'GET /api/v1/tickets',
    mobile: true,
  },
  {
    to: '/contacts',
    label: 'Contacts',
    icon: Users,
    section: 'Sales',
    permission: 'contactsRead',
    requires: 'GET /api/v1/contacts',
    mobile: true,
  },
  {
    to: '/companies',
    label: 'Companies',
    icon: Building2,
    section: 'Sales',
    permission: 'contactsRead',
    requires: 'GET /api/v1/companies',
    mobile: true,
  },
  {
    to: '/forecast',
    label: 'Forecast',
    icon: ChartLine,
    section: 'Insights',
    permission: 'forecast',
    requires: 'GET /api/v1/forecast',
    mobile: true,
  },
  // Both dashboards are open to every person (the API counts only what each may see); the navigation offers the sales
  // one to sales roles and the support one to support roles, an admin both.
  {
    to: '/dashboards/sales',
    label: 'Sales dashboard',
    icon: ChartNoAxesColumn,
    section: 'Insights',
    permission: 'salesDashboard',
    requires: 'GET /api/v1/dashboards/{dashboard}',
  },
  {
    to: '/dashboards/support',
    label: 'Support dashboard',
    icon: Gauge,
    section: 'Insights',
    permission: 'supportDashboard',
    requires: 'GET /api/v1/dashboards/{dashboard}',
  },
  {
    to: '/imports',
    label: 'Imports',
    icon: Upload,
    section: 'Sales',
    permission: 'privacyAndBulk',
    requires: 'POST /api/v1/imports',
  },
  {
    to: '/tasks',
    label: 'My tasks',
    icon: ListTodo,
    section: 'Automation',
    permission: 'tasksRead',
    requires: 'GET /api/v1/me/tasks',
    mobile: true,
  },
  {
    to: '/automation/rules',
    label: 'Rules',
    icon: Workflow,
    section: 'Automation',
    permission: 'workflowsRead',
    requires: 'GET /api/v1/workflows',
  },
  {
    to: '/automation/webhooks',
    label: 'Webhooks',
    icon: Webhook,
    section: 'Automation',
    permission: 'webhooksRead',
    requires: 'GET /api/v1/webhook-endpoints',
  },
  {
    to: '/automation/forms',
    label: 'Web forms',
    icon: FormInput,
    section: 'Automation',
    permission: 'formsRead',
    requires: 'GET /api/v1/forms',
  },
  {
    to: '/admin/pipelines',
    label: 'Pipelines',
    icon: Handshake,
    section: 'Admin',
    permission: 'admin',
    requires: 'PUT /api/v1/pipelines/{id}/stage-order',
  },
  {
    to: '/admin/custom-fields',
    label: 'Custom fields',
    icon: ListChecks,
    section: 'Admin',
    permission: 'admin',
    requires: 'PUT /api/v1/custom-fields/{entity}',
  },
  {
    to: '/admin/sla',
    label: 'SLA policies',
    icon: CalendarClock,
    section: 'Admin',
    permission: 'admin',
    requires: 'PUT /api/v1/sla-policies/{id}',
  },
  {
    to: '/admin/macros',
    label: 'Macros',
    icon: Wand2,
    section: 'Admin',
    permission: 'macrosManage',
    requires: 'POST /api/v1/macros',
  },
  {
    to: '/admin/settings',
    label: 'Settings',
    icon: SlidersHorizontal,
    section: 'Admin',
    permission: 'admin',
    requires: 'PATCH /api/v1/settings',
  },
];

export const SECTION_ORDER: readonly NavSection[] = ['Sales', 'Support', 'Automation', 'Insights', 'Admin'];

export function visibleNav(access: Pick<Access, 'can' | 'hasApi'>): NavItem[] {
  return NAV_ITEMS.filter((item) => access.can(item.permission) && access.hasApi(item.requires));
}

/** Where "/" goes: the first screen the user may use (the board for sales, the queues for support). */
export function homePath(items: readonly NavItem[]): string {
  // Everyone may see their own access page (in the user menu); it is where a user without any screen lands.
  return items[0]?.to ?? '/account';
}
