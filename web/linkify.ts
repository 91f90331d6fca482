// Finds the http(s) URLs in a line's plain text. Only these become links: no other scheme (javascript:,
// data:, file:) can be produced, because the candidate must start with http:// or https:// and must parse
// with that same protocol.

// Control characters cannot occur here: the ANSI decoder drops them before text reaches a line.
const CANDIDATE = /\bhttps?:\/\/[^\s<>"'`]+/g;
/** Punctuation that usually ends the sentence around a URL rather than the URL itself. */
const TRAILING = /[.,;:!?'")\]}>]+$/;

export interface UrlRange {
  start: number;
  end: number;
  href: string;
}

export function findUrls(text: string): UrlRange[] {
  const found: UrlRange[] = [];
  CANDIDATE.lastIndex = 0;
  for (let match = CANDIDATE.exec(text); match !== null; match = CANDIDATE.exec(text)) {
    let candidate = match[0];
    // Keep a closing parenthesis that balances one inside the URL, as in Wikipedia links.
    const trailing = TRAILING.exec(candidate);
    if (trailing !== null) {
      let cut = trailing[0];
      const opens = (candidate.match(/\(/g) ?? []).length;
      const closes = (candidate.match(/\)/g) ?? []).length;
      if (cut.startsWith(')') && opens >= closes) cut = cut.slice(1);
      candidate = candidate.slice(0, candidate.length - cut.length);
    }
    let url: URL;
    try {
      url = new URL(candidate);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    found.push({ start: match.index, end: match.index + candidate.length, href: url.href });
  }
  return found;
}
