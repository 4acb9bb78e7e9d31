// The `crm` realm as the chart imports it into a production Keycloak (charts/crm/files/crm-realm.json), derived
// from the development realm (deploy/keycloak/crm-realm.json) so that both keep the same roles, scopes, mappers
// and clients: without the demo people, tenants' teams, the demo partner and the password-grant CLI client, and
// with every confidential client's secret a ${<CLIENT_ID>_CLIENT_SECRET} placeholder that the KeycloakRealmImport
// fills from the component's Secret. The web app's URLs are set by the chart from the public host.
import { readFileSync } from 'node:fs';

const DEV_ONLY_CLIENTS = new Set(['crm-cli', 'acme-partner']);

export function placeholderOf(clientId) {
  return `${clientId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_CLIENT_SECRET`;
}

export function productionRealm(devRealmPath) {
  const realm = JSON.parse(readFileSync(devRealmPath, 'utf8'));
  realm.sslRequired = 'external';
  realm.clients = realm.clients
    .filter((c) => !DEV_ONLY_CLIENTS.has(c.clientId))
    .map((c) => {
      const client = { ...c };
      if (!client.publicClient && 'secret' in client) client.secret = `\${${placeholderOf(client.clientId)}}`;
      if (client.clientId === 'crm-web') {
        for (const key of ['redirectUris', 'webOrigins', 'rootUrl']) delete client[key];
        client.attributes = { ...client.attributes };
        delete client.attributes['post.logout.redirect.uris'];
      }
      return client;
    });
  // Service accounts of the kept clients only; people are managed in Keycloak (or federated), not imported.
  const clientIds = new Set(realm.clients.map((c) => c.clientId));
  realm.users = realm.users.filter((u) => u.serviceAccountClientId && clientIds.has(u.serviceAccountClientId));
  realm.groups = realm.groups.map((g) => (g.path === '/teams' ? { ...g, subGroups: [] } : g));
  return `${JSON.stringify(realm, null, 2)}\n`;
}
