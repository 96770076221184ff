import { inflateSync } from 'node:zlib';

/**
 * A minimal PDF text extractor for tests of our own PDFs (pdfkit output: uncompressed object
 * table, FlateDecode streams, Type0 fonts with Identity-H encoding and a ToUnicode CMap).
 * Text in a content stream is a run of 2-byte glyph ids (`[<0a1b…> 0 <…>] TJ`), so reading
 * the bytes proves nothing; this decodes each glyph id through the font's own ToUnicode map,
 * as a PDF viewer's copy-and-paste does. Throws on anything it does not understand.
 */
export interface PdfText {
  /** The decoded text, one line per text object (BT … ET). */
  lines: string[];
  /** BaseFont names of the embedded fonts, e.g. `ABCDEF+NotoSansCJKkr-Regular`. */
  fonts: string[];
  /** Whether every Type0 font has its program embedded (FontFile2/FontFile3). */
  fontsEmbedded: boolean;
}

interface PdfObject {
  dict: string;
  stream: Buffer | null;
}

function parseObjects(pdf: Buffer): Map<number, PdfObject> {
  const text = pdf.toString('latin1');
  const objects = new Map<number, PdfObject>();
  const re = /(\d+) 0 obj\s*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endobj', start);
    if (end < 0) throw new Error(`object ${m[1]} has no endobj`);
    const body = text.slice(start, end);
    const s = body.indexOf('stream');
    let dict = body;
    let stream: Buffer | null = null;
    if (s >= 0 && body.slice(0, s).trim().endsWith('>>')) {
      dict = body.slice(0, s);
      const length = /\/Length (\d+)/.exec(dict);
      if (!length) throw new Error(`object ${m[1]}: stream without a direct /Length`);
      let from = start + s + 'stream'.length;
      if (text[from] === '\r') from++;
      if (text[from] === '\n') from++;
      const raw = pdf.subarray(from, from + Number(length[1]));
      stream = /\/Filter\s*\/FlateDecode/.test(dict) ? inflateSync(raw) : Buffer.from(raw);
    }
    objects.set(Number(m[1]), { dict, stream });
    re.lastIndex = end;
  }
  return objects;
}

/** ToUnicode CMap → glyph id (hex, 4 digits) → text. */
function parseCMap(cmap: string): Map<string, string> {
  const map = new Map<string, string>();
  const hexText = (h: string) => {
    let out = '';
    for (let i = 0; i < h.length; i += 4) out += String.fromCharCode(parseInt(h.slice(i, i + 4), 16));
    return out;
  };
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const [, src, dst] of block[1].matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g)) map.set(src.toLowerCase().padStart(4, '0'), hexText(dst));
  }
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, lo, hi, rest] of block[1].matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F]+>)/g)) {
      const a = parseInt(lo, 16);
      const b = parseInt(hi, 16);
      if (rest.startsWith('[')) {
        // Positions matter: a ligature's entry holds several code units separated by spaces
        // (pdfkit writes `<0066 0069>` for "fi"), and an empty `<>` still takes its slot.
        const dsts = [...rest.matchAll(/<([0-9a-fA-F\s]*)>/g)].map((x) => x[1].replace(/\s+/g, ''));
        for (let g = a; g <= b; g++) map.set(g.toString(16).padStart(4, '0'), hexText(dsts[g - a]));
      } else {
        const base = parseInt(rest.slice(1, -1), 16);
        for (let g = a; g <= b; g++) map.set(g.toString(16).padStart(4, '0'), String.fromCharCode(base + g - a));
      }
    }
  }
  return map;
}

export function extractPdfText(pdf: Buffer): PdfText {
  if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') throw new Error('not a PDF');
  if (!pdf.subarray(-1024).toString('latin1').includes('%%EOF')) throw new Error('PDF has no %%EOF trailer');
  const objects = parseObjects(pdf);
  const ref = (dict: string, key: string) => {
    const r = new RegExp(`/${key} (\\d+) 0 R`).exec(dict);
    return r ? Number(r[1]) : null;
  };

  // Font resource names (/F1 …) → ToUnicode map, from every /Font dictionary of the pages.
  const maps = new Map<string, Map<string, string>>();
  const fonts: string[] = [];
  let fontsEmbedded = true;
  for (const o of objects.values()) {
    const res = /\/Font\s*<<([^>]*)>>/.exec(o.dict);
    if (!res) continue;
    for (const [, name, num] of res[1].matchAll(/\/(\S+?) (\d+) 0 R/g)) {
      const font = objects.get(Number(num));
      if (!font) throw new Error(`font ${name} missing`);
      const toUnicode = ref(font.dict, 'ToUnicode');
      if (toUnicode === null) throw new Error(`font ${name} has no ToUnicode map`);
      maps.set(name, parseCMap(objects.get(toUnicode)!.stream!.toString('latin1')));
      const base = /\/BaseFont \/(\S+)/.exec(font.dict)?.[1];
      if (base && !fonts.includes(base)) fonts.push(base);
      const descendant = /\/DescendantFonts \[(\d+) 0 R\]/.exec(font.dict);
      if (descendant) {
        const desc = objects.get(ref(objects.get(Number(descendant[1]))!.dict, 'FontDescriptor')!)!;
        if (ref(desc.dict, 'FontFile2') === null && ref(desc.dict, 'FontFile3') === null) fontsEmbedded = false;
      }
    }
  }

  const lines: string[] = [];
  for (const o of objects.values()) {
    if (!o.stream || !/\bBT\b/.test(o.stream.toString('latin1'))) continue;
    const content = o.stream.toString('latin1');
    if (!/\/Length/.test(o.dict) || /\/Type\s*\/(XObject|Font)/.test(o.dict)) continue;
    for (const [, textObject] of content.matchAll(/\bBT\b([\s\S]*?)\bET\b/g)) {
      let font: Map<string, string> | undefined;
      let out = '';
      for (const t of textObject.matchAll(/\/(\S+) [\d.]+ Tf|<([0-9a-fA-F]*)>/g)) {
        if (t[1]) {
          font = maps.get(t[1]);
          if (!font) throw new Error(`unknown font resource ${t[1]}`);
        } else {
          if (!font) throw new Error('text before a font was set');
          for (let i = 0; i < t[2].length; i += 4) {
            const glyph = t[2].slice(i, i + 4).toLowerCase();
            const ch = font.get(glyph);
            if (ch === undefined) throw new Error(`glyph ${glyph} has no Unicode mapping`);
            out += ch;
          }
        }
      }
      lines.push(out);
    }
  }
  return { lines, fonts, fontsEmbedded };
}
