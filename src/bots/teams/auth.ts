import { type AuthConfiguration, AuthType } from '@microsoft/agents-hosting';
import type { TeamsConfig } from '../../config.js';

/** The name of the one connection: the SDK routes every service URL to it. */
const CONNECTION = 'serviceConnection';

/**
 * The SDK's authentication settings from the Azure Bot registration's names (MICROSOFT_APP_ID → clientId,
 * MICROSOFT_APP_PASSWORD → clientSecret, MICROSOFT_APP_TENANT_ID → tenantId, MICROSOFT_APP_TYPE → authType).
 * Built here rather than read by the SDK from the environment, so config stays validated in one place.
 * Multi-tenant bots get tokens from the botframework.com tenant, the SDK's default when no tenant is given.
 */
export function authConfiguration(teams: TeamsConfig): AuthConfiguration {
  const connection: AuthConfiguration = {
    clientId: teams.appId,
    ...(teams.appType === 'UserAssignedMSI'
      ? { authType: AuthType.UserManagedIdentity }
      : { authType: AuthType.ClientSecret, clientSecret: teams.appPassword ?? '' }),
    ...(teams.appType !== 'MultiTenant' && teams.tenantId ? { tenantId: teams.tenantId } : {}),
  };
  return {
    ...connection,
    connections: new Map([[CONNECTION, connection]]),
    connectionsMap: [{ serviceUrl: '*', connection: CONNECTION }],
  };
}
