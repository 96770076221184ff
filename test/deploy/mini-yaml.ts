/**
 * A small YAML reader for our own deploy files (compose.yaml, deploy/prometheus/alerts.yml):
 * block maps, block lists (of scalars or maps), `#` comments, plain/quoted scalars and flow lists
 * written as JSON (`["CMD", "node"]`). No anchors, multi-line strings or flow maps; anything
 * else throws, so a file that drifts outside the subset fails its test instead of being misread.
 */
export type Yaml = string | number | boolean | null | Yaml[] | { [k: string]: Yaml };

interface Line {
  indent: number;
  text: string;
  no: number;
}

function stripComment(s: string): string {
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(s[i - 1]))) return s.slice(0, i);
  }
  return s;
}

function scalar(raw: string, no: number): Yaml {
  const s = raw.trim();
  if (s === '' || s === '~' || s === 'null') return null;
  if (s.startsWith('[')) {
    try {
      return JSON.parse(s) as Yaml;
    } catch {
      throw new Error(`line ${no}: flow list must be JSON: ${s}`);
    }
  }
  if (s.startsWith('{') || s.startsWith('&') || s.startsWith('*') || s.startsWith('|') || s.startsWith('>')) {
    throw new Error(`line ${no}: unsupported YAML: ${s}`);
  }
  if (s.startsWith('"')) return JSON.parse(s) as string;
  if (s.startsWith("'")) return s.slice(1, -1).replace(/''/g, "'");
  if (s === 'true' || s === 'false') return s === 'true';
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  return s;
}

/** `key: rest` → [key, rest]; null when the line is not a map entry. */
function entry(text: string): [string, string] | null {
  const m = /^("[^"]+"|'[^']+'|[^\s:"'][^:]*?):(?:\s+(.*))?$/.exec(text);
  if (!m) return null;
  return [m[1].replace(/^["']|["']$/g, ''), m[2] ?? ''];
}

export function parseYaml(source: string): Yaml {
  const lines: Line[] = [];
  source.split('\n').forEach((raw, i) => {
    if (raw.includes('\t')) throw new Error(`line ${i + 1}: tab`);
    const text = stripComment(raw).trimEnd();
    if (text.trim() === '') return;
    lines.push({ indent: text.length - text.trimStart().length, text: text.trim(), no: i + 1 });
  });
  let pos = 0;

  function block(indent: number): Yaml {
    const first = lines[pos];
    if (!first || first.indent < indent) return null;
    return first.text.startsWith('- ') || first.text === '-' ? list(first.indent) : map(first.indent);
  }

  function map(indent: number): { [k: string]: Yaml } {
    const out: { [k: string]: Yaml } = {};
    while (pos < lines.length && lines[pos].indent === indent && !lines[pos].text.startsWith('- ')) {
      const line = lines[pos];
      const e = entry(line.text);
      if (!e) throw new Error(`line ${line.no}: expected "key: value": ${line.text}`);
      if (e[0] in out) throw new Error(`line ${line.no}: duplicate key ${e[0]}`);
      pos++;
      out[e[0]] = e[1] === '' ? (lines[pos] && lines[pos].indent > indent ? block(lines[pos].indent) : null) : scalar(e[1], line.no);
    }
    if (pos < lines.length && lines[pos].indent > indent) throw new Error(`line ${lines[pos].no}: bad indentation`);
    return out;
  }

  function list(indent: number): Yaml[] {
    const out: Yaml[] = [];
    while (pos < lines.length && lines[pos].indent === indent && lines[pos].text.startsWith('- ')) {
      const line = lines[pos];
      const rest = line.text.slice(2);
      const e = entry(rest);
      if (e && !rest.startsWith('"') && !rest.startsWith('[')) {
        // A map item: its first entry sits after "- ", the others are indented to match it.
        const itemIndent = indent + 2;
        lines[pos] = { indent: itemIndent, text: rest, no: line.no };
        out.push(map(itemIndent));
      } else {
        pos++;
        out.push(scalar(rest, line.no));
      }
    }
    return out;
  }

  const doc = block(0);
  if (pos !== lines.length) throw new Error(`line ${lines[pos].no}: unexpected content`);
  return doc;
}
