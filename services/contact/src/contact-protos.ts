/** The service's contracts, relative to the kit's PROTO_ROOT: for reflection and for strict decoding. */
export const CONTACT_PROTOS = [
  'crm/contact/v1/contact.proto',
  'crm/contact/v1/company.proto',
  'crm/contact/v1/activity.proto',
  'crm/contact/v1/settings.proto',
  'crm/contact/v1/import.proto',
];
