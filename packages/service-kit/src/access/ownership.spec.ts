import type { Principal } from '../auth/principal';
import { resolveOwnership } from './ownership';

const who = (userId: string, roles: Principal['roles'], teamIds: string[] = []): Principal => ({
  tenantId: 'acme',
  userId,
  roles,
  teamIds,
  clientId: 'test',
  scopes: [],
});

describe('resolveOwnership', () => {
  const rep = who('rep1', ['sales-rep'], ['east']);
  const manager = who('boss', ['support-manager'], ['east']);
  const admin = who('root', ['crm-admin']);

  it('gives a new record to the caller and their first team by default', () => {
    expect(resolveOwnership(rep, {})).toEqual({ ownerId: 'rep1', teamId: 'east' });
  });

  it('refuses a rep giving a record away, or putting it in a team not theirs, naming the field', () => {
    expect(() => resolveOwnership(rep, { ownerId: 'rep2' })).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        violations: [expect.objectContaining({ field: 'ownerId' })],
      }),
    );
    expect(() => resolveOwnership(rep, { teamId: 'west' })).toThrow(
      expect.objectContaining({ violations: [expect.objectContaining({ field: 'teamId' })] }),
    );
  });

  it('lets a manager give records within their teams only, and an admin anywhere', () => {
    expect(resolveOwnership(manager, { ownerId: 'agent1', teamId: 'east' })).toEqual({
      ownerId: 'agent1',
      teamId: 'east',
    });
    expect(() => resolveOwnership(manager, { ownerId: 'agent1', teamId: 'west' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(resolveOwnership(admin, { ownerId: 'anyone', teamId: 'west' })).toEqual({
      ownerId: 'anyone',
      teamId: 'west',
    });
  });

  it('keeps the current owner and team on an update that names neither', () => {
    expect(resolveOwnership(rep, {}, { ownerId: 'rep1', teamId: 'legacy' })).toEqual({
      ownerId: 'rep1',
      teamId: 'legacy',
    });
  });
});
