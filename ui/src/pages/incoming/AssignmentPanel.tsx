import { DatePicker, Flex, Radio, Select, Typography } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useEffect, useMemo, useState } from "react";
import * as ipc from "../../lib/ipc";

/** What the leader chose at 批办. */
export interface AssignmentValue {
  leadDept?: string;
  assistDepts: string[];
  /** 办理时限, `YYYY-MM-DD`. */
  due?: string;
}

export const NO_ASSIGNMENT: AssignmentValue = { assistDepts: [] };

/** Roles that make a person the one who receives a department's work. */
const HEAD_ROLES = ["部门负责人", "科室负责人", "办公室主任"];

/** Each department of the directory and who handles its work (its head, else its first person). */
export function departments(people: ipc.PersonRow[]): Map<string, ipc.PersonRow> {
  const out = new Map<string, ipc.PersonRow>();
  for (const p of people) {
    const dept = p.dept.trim();
    if (!dept) continue;
    const known = out.get(dept);
    const head = p.roles.some((r) => HEAD_ROLES.includes(r));
    if (!known || (head && !known.roles.some((r) => HEAD_ROLES.includes(r)))) out.set(dept, p);
  }
  return out;
}

/** `days` working days after `from` (Saturdays and Sundays skipped). */
export function addWorkingDays(from: Dayjs, days: number): Dayjs {
  let d = from;
  let left = days;
  while (left > 0) {
    d = d.add(1, "day");
    if (d.day() !== 0 && d.day() !== 6) left -= 1;
  }
  return d;
}

type Preset = "3d" | "5wd" | "10wd" | "custom";

function presetDate(preset: Preset, today: Dayjs): Dayjs | null {
  switch (preset) {
    case "3d":
      return today.add(3, "day");
    case "5wd":
      return addWorkingDays(today, 5);
    case "10wd":
      return addWorkingDays(today, 10);
    case "custom":
      return null;
  }
}

export interface AssignmentPanelProps {
  value: AssignmentValue;
  onChange: (value: AssignmentValue) => void;
  /** Whether 主办 must be chosen (承办 has no fixed handlers). */
  required: boolean;
}

/**
 * 批办: 主办 and 协办 departments from the directory (each handled by its head) and a 办理时限
 * with presets (3天, 5个工作日, 10个工作日, 自定义).
 */
export function AssignmentPanel({ value, onChange, required }: AssignmentPanelProps) {
  const [people, setPeople] = useState<ipc.PersonRow[]>([]);
  const [error, setError] = useState<string>();
  const [preset, setPreset] = useState<Preset>("5wd");

  useEffect(() => {
    ipc
      .directory()
      .then(setPeople)
      .catch((raw: unknown) => setError(ipc.CommandError.from(raw).message));
  }, []);

  // The default 办理时限: 5 working days.
  useEffect(() => {
    if (!value.due) onChange({ ...value, due: addWorkingDays(dayjs(), 5).format("YYYY-MM-DD") });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const depts = useMemo(() => departments(people), [people]);
  const options = [...depts.keys()].sort((a, b) => a.localeCompare(b, "zh-CN")).map((d) => ({ value: d, label: d }));
  const handlerOf = (dept: string | undefined) => (dept ? depts.get(dept)?.name : undefined);

  return (
    <div className="gw-assignment" data-testid="assignment">
      <div className="gw-task-section">批办{required ? "（必填）" : ""}</div>
      {error && <Typography.Text type="danger">{error}</Typography.Text>}
      <Flex vertical gap={8}>
        <Select
          allowClear
          showSearch
          placeholder="主办科室"
          aria-label="主办科室"
          data-testid="assign-lead"
          value={value.leadDept}
          onChange={(d?: string) => onChange({ ...value, leadDept: d, assistDepts: value.assistDepts.filter((a) => a !== d) })}
          options={options}
          notFoundContent="通讯录中没有科室，请先同步通讯录"
        />
        {value.leadDept && <Typography.Text type="secondary">主办承办人：{handlerOf(value.leadDept) ?? "—"}</Typography.Text>}
        <Select
          mode="multiple"
          allowClear
          placeholder="协办科室（可多选）"
          aria-label="协办科室"
          data-testid="assign-assist"
          value={value.assistDepts}
          onChange={(list: string[]) => onChange({ ...value, assistDepts: list })}
          options={options.filter((o) => o.value !== value.leadDept)}
        />
        <Flex gap={8} align="center" wrap>
          <Typography.Text>办理时限</Typography.Text>
          <Radio.Group
            size="small"
            optionType="button"
            value={preset}
            aria-label="办理时限"
            onChange={(e) => {
              const p = e.target.value as Preset;
              setPreset(p);
              const d = presetDate(p, dayjs());
              if (d) onChange({ ...value, due: d.format("YYYY-MM-DD") });
            }}
            options={[
              { value: "3d", label: "3天" },
              { value: "5wd", label: "5个工作日" },
              { value: "10wd", label: "10个工作日" },
              { value: "custom", label: "自定义" },
            ]}
          />
          <DatePicker
            size="small"
            aria-label="办理时限日期"
            data-testid="assign-due"
            value={value.due ? dayjs(value.due) : null}
            disabledDate={(d) => d.isBefore(dayjs(), "day")}
            onChange={(d) => {
              setPreset("custom");
              onChange({ ...value, due: d ? d.format("YYYY-MM-DD") : undefined });
            }}
          />
        </Flex>
      </Flex>
    </div>
  );
}
