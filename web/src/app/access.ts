// What the signed-in user may do (the permissions GET /api/v1/me computes from the same policy the gateway
// enforces) and which APIs this deployment has. Screens and actions are shown only when both allow them.
import { useCapabilities, useMe } from '../api/session.api';

export type Permission =
  | 'anyone'
  | 'contactsRead'
  | 'contactsWrite'
  | 'contactsCurate'
  | 'privacyAndBulk'
  | 'erase'
  | 'admin'
  | 'dealsRead'
  | 'dealsWrite'
  | 'forecast'
  | 'ticketsRead'
  | 'ticketsWrite'
  | 'ticketsCurate'
  | 'supportConfigRead'
  | 'macrosManage'
  | 'reportsRead'
  // Derived here, not by the API: dashboards (reportsRead) for the people whose work they measure.
  | 'salesDashboard'
  | 'supportDashboard'
  // Later services add their own groups; unknown names are simply not granted.
  | (string & {});

export interface Access {
  ready: boolean;
  userId: string | undefined;
  teamIds: string[];
  roles: string[];
  can(permission: Permission): boolean;
  /** "GET /api/v1/tickets": the deployment's API has this operation. */
  hasApi(operation: string): boolean;
  isManager: boolean;
  isAdmin: boolean;
}

export function useAccess(): Access {
  const me = useMe();
  const capabilities = useCapabilities();
  const permissions = me.data?.permissions ?? {};
  const roles = me.data?.roles ?? [];
  return {
    ready: me.data !== undefined && capabilities.data !== undefined,
    userId: me.data?.userId,
    teamIds: me.data?.teamIds ?? [],
    roles,
    can: (permission) => {
      if (permission === 'salesDashboard') return permissions.reportsRead === true && permissions.dealsRead === true;
      if (permission === 'supportDashboard')
        return permissions.reportsRead === true && permissions.supportConfigRead === true;
      return permissions[permission] === true;
    },
    hasApi: (operation) => capabilities.data?.operations.has(operation) ?? false,
    isManager: roles.includes('sales-manager') || roles.includes('support-manager'),
    isAdmin: roles.includes('crm-admin'),
  };
}
