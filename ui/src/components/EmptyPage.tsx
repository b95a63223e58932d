import { Card, Empty, Typography } from "antd";
import type { ReactNode } from "react";

export interface EmptyPageProps {
  /** What is missing, e.g. "暂无已办事项". */
  title: string;
  /** What the user can do about it, in one or two sentences. */
  hint: ReactNode;
  extra?: ReactNode;
}

/** A page with nothing to list yet: says so, and says what to do. */
export function EmptyPage({ title, hint, extra }: EmptyPageProps) {
  return (
    <Card variant="borderless" className="gw-card">
      <Empty
        image={Empty.PRESENTED_IMAGE_SIMPLE}
        description={
          <>
            <Typography.Title level={5} style={{ marginBottom: 4 }}>
              {title}
            </Typography.Title>
            <Typography.Text type="secondary">{hint}</Typography.Text>
          </>
        }
      >
        {extra}
      </Empty>
    </Card>
  );
}
