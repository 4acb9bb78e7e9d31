// SLA policies and business calendars (admins change them; support roles read them).
import { useQuery } from '@tanstack/react-query';
import { api, idempotent, ifMatch, unwrap } from './http-client';
import type { components } from './openapi.gen';

type Schemas = components['schemas'];
export type BusinessCalendar = Schemas['BusinessCalendar'];
export type BusinessCalendarInput = Schemas['BusinessCalendarInput'];
export type SlaPolicy = Schemas['SlaPolicy'];
export type SlaPolicyInput = Schemas['SlaPolicyInput'];

export const slaKeys = {
  calendars: ['business-calendars'] as const,
  policies: ['sla-policies'] as const,
};

export function useCalendars() {
  return useQuery({
    queryKey: slaKeys.calendars,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/business-calendars', { signal })).then((p) => p.data),
  });
}

export function usePolicies() {
  return useQuery({
    queryKey: slaKeys.policies,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/sla-policies', { signal })).then((p) => p.data),
  });
}

export function createCalendar(body: BusinessCalendarInput): Promise<BusinessCalendar> {
  return idempotent((headers) => unwrap(api.POST('/api/v1/business-calendars', { params: { header: headers }, body })));
}

export function replaceCalendar(id: string, version: number, body: BusinessCalendarInput): Promise<BusinessCalendar> {
  return unwrap(
    api.PUT('/api/v1/business-calendars/{id}', { params: { path: { id }, header: ifMatch(version) }, body }),
  );
}

export function fetchCalendar(id: string): Promise<BusinessCalendar> {
  return unwrap(api.GET('/api/v1/business-calendars/{id}', { params: { path: { id } } }));
}

export function deleteCalendar(id: string, version: number): Promise<BusinessCalendar> {
  return unwrap(api.DELETE('/api/v1/business-calendars/{id}', { params: { path: { id }, header: ifMatch(version) } }));
}

export function createPolicy(body: SlaPolicyInput): Promise<SlaPolicy> {
  return idempotent((headers) => unwrap(api.POST('/api/v1/sla-policies', { params: { header: headers }, body })));
}

export function replacePolicy(id: string, version: number, body: SlaPolicyInput): Promise<SlaPolicy> {
  return unwrap(api.PUT('/api/v1/sla-policies/{id}', { params: { path: { id }, header: ifMatch(version) }, body }));
}

export function fetchPolicy(id: string): Promise<SlaPolicy> {
  return unwrap(api.GET('/api/v1/sla-policies/{id}', { params: { path: { id } } }));
}

export function deletePolicy(id: string, version: number): Promise<SlaPolicy> {
  return unwrap(api.DELETE('/api/v1/sla-policies/{id}', { params: { path: { id }, header: ifMatch(version) } }));
}
