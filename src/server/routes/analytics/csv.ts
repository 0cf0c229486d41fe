// CSV for the analytics tables (RFC 4180): a header row, fields quoted when they hold a comma, a
// quote or a line break, quotes doubled, CRLF line ends. Text that a spreadsheet would run as a
// formula (starting with = + - @ or a tab) is prefixed with ' so an export cannot carry one.
export interface CsvColumn<Row> {
  header: string;
  value: (row: Row) => string | number | boolean | null | undefined;
}

function field(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader<Row>(columns: CsvColumn<Row>[]): string {
  return `${columns.map((c) => field(c.header)).join(",")}\r\n`;
}

export function csvRows<Row>(columns: CsvColumn<Row>[], rows: readonly Row[]): string {
  let text = "";
  for (const row of rows) text += `${columns.map((c) => field(c.value(row))).join(",")}\r\n`;
  return text;
}

export function toCsv<Row>(columns: CsvColumn<Row>[], rows: readonly Row[]): string {
  return csvHeader(columns) + csvRows(columns, rows);
}
