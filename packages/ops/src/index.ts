export * from './backup/backup-plan';
export * from './backup/mongo-backup';
export * from './backup/postgres-backup';
export * from './backup/stream-backup';
export * from './backup/platform-backup';
