// Typed custom fields shared by every service: admin-defined definitions, and validation of values on writes.
export {
  CUSTOM_FIELD_KEY_PATTERN,
  CUSTOM_FIELD_TYPES,
  DEFAULT_TEXT_MAX_LENGTH,
  MAX_SELECT_OPTIONS,
  MAX_TEXT_MAX_LENGTH,
  customFieldDefinitionSchema,
  isSelectType,
  parseCustomFieldDefinition,
  type CustomFieldDefinition,
  type CustomFieldDefinitionInput,
  type CustomFieldOption,
  type CustomFieldType,
  type CustomFieldValue,
  type CustomFieldValues,
  type ParseCustomFieldDefinitionOptions,
  type ParseCustomFieldDefinitionResult,
  type SelectCustomFieldType,
} from './definition';
export {
  validateDefinitions,
  validateDefinitionsOrThrow,
  type ValidateDefinitionsOptions,
  type ValidateDefinitionsResult,
} from './validate-definitions';
export {
  MAX_EMAIL_LENGTH,
  MAX_URL_LENGTH,
  normalizeCustomFieldValue,
  type NormalizeContext,
  type NormalizeResult,
} from './normalize';
export {
  validateCustomFieldValues,
  validateCustomFieldValuesOrThrow,
  type CreateCustomFieldValuesOptions,
  type CustomFieldWriteMode,
  type UpdateCustomFieldValuesOptions,
  type ValidateCustomFieldValuesOptions,
  type ValidateCustomFieldValuesResult,
} from './validate-values';
export { readCustomFieldValues, type ReadCustomFieldValuesOptions } from './read-values';
export { DEFAULT_CUSTOM_FIELDS_PATH } from './violations';
export { customFieldValuesFromText } from './text-values';
