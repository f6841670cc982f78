// Bulk import input: CSV text or JSON rows into product inputs, with a per-row error for each
// row that cannot be one. Pure; the service reports taken slugs after the insert.
import { parse } from 'csv-parse/sync';
import { Value } from 'typebox/value';
import { ProductInputSchema, type ProductInput } from './schemas.js';

export interface RowError {
  /** 1-based row of the data (the CSV header is not a row). */
  row: number;
  slug?: string;
  code: 'VALIDATION_FAILED' | 'PRODUCT_SLUG_TAKEN';
  message: string;
}

const KNOWN_COLUMNS = new Set(['slug', 'name', 'brand', 'category', 'imageUrl', 'attributes']);

/**
 * CSV columns slug, name, category, and optionally brand and imageUrl; an `attributes` column
 * holds a JSON object, and any other column becomes an attribute of that name. Empty cells are
 * absent values.
 */
export function csvRows(text: string): Array<Record<string, unknown> | RowError> {
  const records = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true, relax_column_count: true }) as Array<
    Record<string, string>
  >;
  return records.map((record, index) => {
    const row: Record<string, unknown> = {};
    const attributes: Record<string, unknown> = {};
    for (const [column, cell] of Object.entries(record)) {
      if (cell === '' || cell === undefined) continue;
      if (column === 'attributes') {
        try {
          Object.assign(attributes, JSON.parse(cell));
        } catch {
          return { row: index + 1, slug: record.slug, code: 'VALIDATION_FAILED', message: 'attributes is not a JSON object' };
        }
      } else if (KNOWN_COLUMNS.has(column)) row[column] = cell;
      else attributes[column] = cell;
    }
    return { ...row, attributes };
  });
}

/** Each row as a product input, or the reason it is not one; a slug already seen earlier in the file is refused here. */
export function validateRows(rows: Array<Record<string, unknown> | RowError>): Array<ProductInput | RowError> {
  const seen = new Set<string>();
  return rows.map((row, index) => {
    if (isRowError(row)) return row;
    const slug = typeof row.slug === 'string' ? row.slug : undefined;
    if (!Value.Check(ProductInputSchema, row)) {
      const first = [...Value.Errors(ProductInputSchema, row)][0];
      const field = first?.instancePath || '/';
      return { row: index + 1, slug, code: 'VALIDATION_FAILED', message: `${field} ${first?.message ?? 'is not valid'}` };
    }
    if (seen.has(row.slug)) return { row: index + 1, slug, code: 'PRODUCT_SLUG_TAKEN', message: `slug '${row.slug}' appears earlier in this import` };
    seen.add(row.slug);
    return row;
  });
}

export function isRowError(value: unknown): value is RowError {
  return typeof value === 'object' && value !== null && 'code' in value && 'row' in value;
}
