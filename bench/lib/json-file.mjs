// Serialises bench results as JSON laid out the way the repository's formatter (Biome) lays it
// out, so a results file under bench/ never fails `npm run lint`.
const LINE_WIDTH = 110;

/**
 * JSON.stringify with 2-space indent, then arrays holding only primitives are put on one line
 * when that line fits the width: Biome collapses those and expands everything else.
 */
export function toJson(value) {
  const lines = JSON.stringify(value, null, 2).split("\n");
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.endsWith("[")) {
      out.push(line);
      continue;
    }
    const items = [];
    let j = i + 1;
    while (j < lines.length && !/^\s*\],?$/.test(lines[j]) && !/[[{]$/.test(lines[j])) {
      items.push(lines[j].trim().replace(/,$/, ""));
      j++;
    }
    const closes = j < lines.length && /^\s*\],?$/.test(lines[j]);
    const joined = `${line}${items.join(", ")}]${closes && lines[j].trim().endsWith(",") ? "," : ""}`;
    if (closes && joined.length <= LINE_WIDTH) {
      out.push(joined);
      i = j;
    } else {
      out.push(line);
    }
  }
  return `${out.join("\n")}\n`;
}
