// Where a byte sequence stops being UTF-8, for an error that names the line.

export interface InvalidByte {
  /** 1-based line and column (in characters) of the first byte that is not UTF-8. */
  line: number;
  column: number;
  byte: number;
}

/** Length of the sequence a lead byte starts, and the allowed range of its second byte (which rules
 * out overlong forms, surrogates and code points above U+10FFFF); undefined for a byte no sequence starts with. */
function sequence(lead: number): { length: number; min: number; max: number } | undefined {
  if (lead < 0x80) return { length: 1, min: 0, max: 0 };
  if (lead >= 0xc2 && lead <= 0xdf) return { length: 2, min: 0x80, max: 0xbf };
  if (lead === 0xe0) return { length: 3, min: 0xa0, max: 0xbf };
  if (lead === 0xed) return { length: 3, min: 0x80, max: 0x9f };
  if (lead >= 0xe1 && lead <= 0xef) return { length: 3, min: 0x80, max: 0xbf };
  if (lead === 0xf0) return { length: 4, min: 0x90, max: 0xbf };
  if (lead >= 0xf1 && lead <= 0xf3) return { length: 4, min: 0x80, max: 0xbf };
  if (lead === 0xf4) return { length: 4, min: 0x80, max: 0x8f };
  return undefined;
}

/** The first byte of `bytes` that breaks UTF-8 (the caller knows there is one). */
export function firstInvalidUtf8(bytes: Uint8Array): InvalidByte {
  let line = 1;
  let column = 1;
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    const seq = sequence(lead);
    const second = bytes[i + 1];
    const fits = seq !== undefined && (seq.length === 1 || (second !== undefined && second >= seq.min && second <= seq.max))
      && Array.from({ length: Math.max(0, (seq?.length ?? 1) - 2) }, (_, k) => bytes[i + 2 + k]).every((b) => b !== undefined && b >= 0x80 && b <= 0xbf);
    if (!fits) return { line, column, byte: lead };
    if (lead === 0x0a) {
      line++;
      column = 1;
    } else {
      column++;
    }
    i += seq!.length;
  }
  return { line, column, byte: 0 };
}
