import { Readable } from 'node:stream';
import busboy from 'busboy';
import type { Request } from 'express';
import { HttpProblem, problems } from '../http/problem';
import { parseInput } from '../http/validation';
import { importOptionsSchema, importQuerySchema } from '../schemas/import-export.schema';
import type { z } from 'zod';

export type ImportOptions = z.infer<typeof importOptionsSchema>;

export interface CsvUpload {
  options: ImportOptions;
  file: Buffer;
}

/** A CSV import arrives as multipart/form-data (a file part plus fields) or as a text/csv body (options in the query). */
export async function readCsvUpload(req: Request, body: Buffer): Promise<CsvUpload> {
  if (req.is('multipart/form-data')) return readMultipart(req, body);
  const query = parseInput(importQuerySchema, req.query, 'query');
  return { options: optionsOf({ ...query }, 'query'), file: body };
}

function optionsOf(fields: Record<string, string | undefined>, location: 'query' | 'body'): ImportOptions {
  let mapping: unknown;
  if (fields.mapping !== undefined) {
    try {
      mapping = JSON.parse(fields.mapping);
    } catch {
      throw problems.badRequest('mapping must be a JSON array of {column, field}', [
        { field: 'mapping', detail: 'is not valid JSON' },
      ]);
    }
  }
  const candidate = Object.fromEntries(Object.entries({ ...fields, mapping }).filter(([, v]) => v !== undefined));
  return parseInput(importOptionsSchema, candidate, location);
}

function readMultipart(req: Request, body: Buffer): Promise<CsvUpload> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let file: Buffer | undefined;
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 10, fieldSize: 100_000 } });
    } catch {
      reject(problems.badRequest('The multipart body has no boundary'));
      return;
    }
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (name === 'file') {
          file = Buffer.concat(chunks);
          if (info.filename) fields.fileName ??= info.filename;
        }
      });
    });
    parser.on('error', () => reject(problems.badRequest('The multipart body could not be read')));
    parser.on('close', () => {
      if (!file)
        return reject(
          new HttpProblem(400, 'A part named "file" with the CSV is required', {
            type: 'validation',
            errors: [{ field: 'file', detail: 'is required' }],
          }),
        );
      try {
        resolve({ options: optionsOf(fields, 'body'), file });
      } catch (error) {
        reject(error);
      }
    });
    Readable.from(body).pipe(parser);
  });
}
