import type { SettingsServiceService } from '@crm/proto/crm/contact/v1/settings';
import type { ServiceHandlers } from '@crm/service-kit';
import type { SettingsService } from '../app/settings.service';
import { fromProtoDefinition, toProtoDefinition, toProtoSettings } from './mappers';

export function settingsHandlers(settings: SettingsService): ServiceHandlers<typeof SettingsServiceService> {
  return {
    getTenantSettings: async (_req, ctx) => ({ settings: toProtoSettings(await settings.getSettings(ctx.principal)) }),
    updateTenantSettings: async (req, ctx) => {
      const input = {
        defaultPhoneRegion: req.settings?.defaultPhoneRegion ?? '',
        requiredContactFields: req.settings?.requiredContactFields ?? [],
        requiredCompanyFields: req.settings?.requiredCompanyFields ?? [],
      };
      return { settings: toProtoSettings(await settings.updateSettings(ctx.principal, input, req.expectedVersion)) };
    },
    getCustomFieldDefinitions: async (req, ctx) => {
      const set = await settings.getDefinitions(ctx.principal, req.entity);
      return { entity: set.entity, definitions: set.definitions.map(toProtoDefinition), version: set.version };
    },
    setCustomFieldDefinitions: async (req, ctx) => {
      const set = await settings.setDefinitions(
        ctx.principal,
        req.entity,
        req.definitions.map(fromProtoDefinition),
        req.expectedVersion,
      );
      return { entity: set.entity, definitions: set.definitions.map(toProtoDefinition), version: set.version };
    },
  };
}
