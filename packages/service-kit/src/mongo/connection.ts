import mongoose, { type Connection } from 'mongoose';

export interface MongoOptions {
  url: string;
  dbName: string;
}

/** Acknowledged writes are majority-written, so a node dying after the ack loses nothing. */
export async function connectMongo(options: MongoOptions): Promise<Connection> {
  const connection = mongoose.createConnection(options.url, {
    dbName: options.dbName,
    writeConcern: { w: 'majority' },
    serverSelectionTimeoutMS: 5000,
    autoIndex: true,
    // Command events, so that a process can count its store round trips (tests, benchmarks); cheap without listeners.
    monitorCommands: true,
  });
  await connection.asPromise();
  return connection;
}

export async function pingMongo(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('mongo connection is not open');
  await db.command({ ping: 1 });
}
