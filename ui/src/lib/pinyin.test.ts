import { describe, expect, it } from "vitest";
import { initialOf, matchesPerson, pinyinInitials } from "./pinyin";

describe("pinyin initials", () => {
  it("gives the initials of common names", () => {
    expect(pinyinInitials("张三")).toBe("zs");
    expect(pinyinInitials("李四")).toBe("ls");
    expect(pinyinInitials("王五")).toBe("ww");
    expect(pinyinInitials("欧阳明")).toBe("oym");
    expect(pinyinInitials("吕丽")).toBe("ll");
    expect(pinyinInitials("马苗")).toBe("mm");
  });

  it("keeps ASCII letters and digits, drops punctuation", () => {
    expect(initialOf("A")).toBe("a");
    expect(initialOf("7")).toBe("7");
    expect(initialOf("·")).toBe("");
    expect(pinyinInitials("李·Li")).toBe("lli");
  });

  it("matches a person by name, id, department or the start of the initials", () => {
    const p = { id: "zhangsan", name: "张三", dept: "综合科" };
    expect(matchesPerson("张", p)).toBe(true);
    expect(matchesPerson("zhang", p)).toBe(true);
    expect(matchesPerson("zs", p)).toBe(true);
    expect(matchesPerson("ZS", p)).toBe(true);
    expect(matchesPerson("综合", p)).toBe(true);
    expect(matchesPerson("sz", p)).toBe(false);
    expect(matchesPerson("李", p)).toBe(false);
    expect(matchesPerson("  ", p)).toBe(true);
  });
});
