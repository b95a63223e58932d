/**
 * Pinyin initials of Chinese names, for searching the directory by 拼音首字母 (张三 → zs).
 *
 * No dictionary is shipped: the platform's Chinese collation (ICU, in WebKitGTK and Node)
 * orders characters by pinyin, so the initial of a character is the last boundary
 * character that sorts at or before it. The boundaries are the first characters of each
 * initial in GB2312 pinyin order; letters without Chinese syllables (i, u, v) have none.
 */
const BOUNDARIES: ReadonlyArray<readonly [string, string]> = [
  ["a", "阿"],
  ["b", "八"],
  ["c", "嚓"],
  ["d", "哒"],
  ["e", "妸"],
  ["f", "发"],
  ["g", "旮"],
  ["h", "哈"],
  ["j", "丌"],
  ["k", "咔"],
  ["l", "垃"],
  ["m", "呣"],
  ["n", "拏"],
  ["o", "噢"],
  ["p", "妑"],
  ["q", "七"],
  ["r", "呥"],
  ["s", "仨"],
  ["t", "他"],
  ["w", "屲"],
  ["x", "夕"],
  ["y", "丫"],
  ["z", "帀"],
];

let collator: Intl.Collator | undefined;
let works: boolean | undefined;

function zhCollator(): Intl.Collator | null {
  collator ??= new Intl.Collator("zh-CN-u-co-pinyin", { sensitivity: "base" });
  // A platform without Chinese collation data orders by code point: then we know nothing.
  works ??= collator.compare("啊", "波") < 0 && collator.compare("波", "词") < 0 && collator.compare("张", "赵") < 0;
  return works ? collator : null;
}

/** The pinyin initial of one character: a letter for Chinese, the lower-cased character for ASCII, '' otherwise. */
export function initialOf(char: string): string {
  if (/^[A-Za-z0-9]$/.test(char)) return char.toLowerCase();
  if (!/^[\u4e00-\u9fff]$/.test(char)) return "";
  const c = zhCollator();
  if (!c) return "";
  let found = "";
  for (const [letter, first] of BOUNDARIES) {
    if (c.compare(char, first) >= 0) found = letter;
    else break;
  }
  return found;
}

/** The initials of a text: 张三 → zs, 王小明 → wxm. */
export function pinyinInitials(text: string): string {
  return Array.from(text).map(initialOf).join("");
}

/**
 * Whether a person matches what was typed in a picker: part of the name, the id, the
 * department, or the start of the name's pinyin initials.
 */
export function matchesPerson(query: string, person: { name: string; id: string; dept?: string; organ?: string }): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  if (person.name.toLowerCase().includes(q) || person.id.toLowerCase().includes(q)) return true;
  if (person.dept && person.dept.toLowerCase().includes(q)) return true;
  return /^[a-z]+$/.test(q) && pinyinInitials(person.name).startsWith(q);
}
