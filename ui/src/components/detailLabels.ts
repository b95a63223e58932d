/**
 * The label column of the side panels' facts (办理, 来文, 发文 detail): wide enough for five
 * characters and the colon ("密级·缓急："), in em so it grows with the font size setting,
 * and never wrapped.
 */
export const DETAIL_LABEL_STYLES = { label: { width: "6em", whiteSpace: "nowrap" } } as const;
