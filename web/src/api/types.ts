// Names for the API's schemas, as generated from the gateway's OpenAPI document (openapi.gen.ts).
import type { components } from './openapi.gen';

type Schemas = components['schemas'];

export type Me = Schemas['Me'];
export type Contact = Schemas['Contact'];
export type ContactCreate = Schemas['ContactCreate'];
export type ContactPatch = Schemas['ContactPatch'];
export type Company = Schemas['Company'];
export type CompanyCreate = Schemas['CompanyCreate'];
export type CompanyPatch = Schemas['CompanyPatch'];
export type Activity = Schemas['Activity'];
export type ActivityCreate = Schemas['ActivityCreate'];
export type ActivityType = ActivityCreate['type'];
export type DuplicateCandidate = Schemas['DuplicateCandidates']['data'][number];
export type ImportJob = Schemas['ImportJob'];
export type ImportRowError = Schemas['ImportRowError'];
export type CustomFieldDefinition = Schemas['CustomFieldDefinition'];
export type CustomFieldType = CustomFieldDefinition['type'];
export type CustomFieldEntity = Schemas['CustomFieldDefinitions']['entity'];
export type CustomFieldValue = Schemas['CustomFields'][string];
export type TenantSettings = Schemas['TenantSettings'];
export type Pipeline = Schemas['Pipeline'];
export type Stage = Schemas['Stage'];
export type StageInput = Schemas['StageInput'];
export type Board = Schemas['Board'];
export type BoardColumn = Board['columns'][number];
export type CurrencyTotal = BoardColumn['totals'][number];
export type Deal = Schemas['Deal'];
export type DealCreate = Schemas['DealCreate'];
export type DealPatch = Schemas['DealPatch'];
export type DealMove = Schemas['DealMove'];
export type Forecast = Schemas['Forecast'];
export type ForecastFigures = Forecast['totals'][number];
export type Money = Schemas['Money'];
/** An ISO 4217 code the API takes. */
export type Currency = Money['currency'];

/** A page of a cursor-paginated list. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export type LifecycleStage = NonNullable<ContactCreate['lifecycleStage']>;
export const LIFECYCLE_STAGES: readonly LifecycleStage[] = [
  'subscriber',
  'lead',
  'marketing_qualified',
  'sales_qualified',
  'opportunity',
  'customer',
  'evangelist',
  'other',
];
export const COMPANY_SIZES: readonly NonNullable<CompanyCreate['size']>[] = [
  '1-10',
  '11-50',
  '51-200',
  '201-500',
  '501-1000',
  '1001-5000',
  '5001+',
];
