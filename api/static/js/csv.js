// A small RFC 4180 CSV reader for the upload metadata (quoted fields, "" escapes, CRLF, a UTF-8 BOM).

export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  const src = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < src.length; i += 1) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && src[i + 1] === "\n") i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else {
      field += c;
    }
  }
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((v) => v.trim() !== ""));
}

export const METADATA_COLUMNS = ["call_id", "file", "agent", "started_at", "channels", "customer_id", "caller_number"];

/** Rows keyed by the base name of their ``file`` column; throws when there is no ``file`` column. */
export function metadataByFile(text) {
  const [head, ...body] = parseCsv(text);
  if (!head) throw new Error("empty");
  const names = head.map((name) => name.trim());
  if (!names.includes("file")) throw new Error("no 'file' column");
  const byFile = new Map();
  for (const values of body) {
    const row = {};
    names.forEach((name, i) => {
      if (METADATA_COLUMNS.includes(name) && (values[i] ?? "").trim() !== "") row[name] = values[i].trim();
    });
    if (row.file) byFile.set(row.file.split(/[\\/]/).pop(), row);
  }
  return byFile;
}
