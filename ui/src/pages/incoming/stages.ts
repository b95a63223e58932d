import type { IncomingStage } from "../../lib/ipc";

/** One 收文 list: which items it shows and what its empty state says. */
export interface StageSpec {
  stage: IncomingStage;
  /** The empty state's first line. */
  emptyTitle: string;
  /** What the user can do about it. */
  emptyHint: string;
}

export const INCOMING_STAGES = {
  incoming: {
    stage: "unsigned",
    emptyTitle: "暂无待签收的来文",
    emptyHint: "上级和外单位通过公文交换发来的公文会出现在这里；签收后回执自动发回来文单位。",
  },
  incomingSigned: {
    stage: "unregistered",
    emptyTitle: "暂无待登记的来文",
    emptyHint: "已签收的来文在这里登记收文编号等信息，登记后进入初审、拟办、批办流程。",
  },
  incomingRegistered: {
    stage: "registered",
    emptyTitle: "暂无已登记的收文",
    emptyHint: "登记过的收文会列在这里，可按收文编号查找、查看流转情况和打印收文处理笺。",
  },
} as const satisfies Record<string, StageSpec>;

/** The 密级 choices of the filter and the 登记 form. */
export const SECRECY_LEVELS = ["秘密", "机密", "绝密"] as const;
