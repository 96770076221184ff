import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import writeXlsxFile from 'write-excel-file/node';
import type { ExportTable } from '../../../use-cases/accounting-exports.ts';
import { csvLine } from './payments-csv.ts';

export type ExportFormat = 'csv' | 'xlsx';

/**
 * Sends an export table as a CSV (UTF-8 with BOM, CRLF, formula-safe cells: payments-csv.ts)
 * or an XLSX sheet (write-excel-file; numbers stay numbers). The first row is read before the
 * answer starts, so a failing query is an error response rather than a short file.
 */
export async function sendTable(reply: FastifyReply, table: ExportTable, format: ExportFormat, fileStem: string): Promise<FastifyReply> {
  const it = table.rows[Symbol.asyncIterator]();
  const first = await it.next();
  if (format === 'xlsx') {
    const data: (string | number | null)[][] = [[...table.columns]];
    for (let r = first; !r.done; r = await it.next()) data.push(r.value);
    const buffer = await writeXlsxFile(data, { sheet: table.name.slice(0, 31) }).toBuffer();
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="${fileStem}.xlsx"`)
      .send(buffer);
  }
  reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${fileStem}.csv"`);
  return reply.send(
    Readable.from(
      (async function* () {
        yield `\uFEFF${csvLine(table.columns)}`;
        for (let r = first; !r.done; r = await it.next()) yield csvLine(r.value);
      })(),
    ),
  );
}
