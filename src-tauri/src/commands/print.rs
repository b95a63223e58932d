//! Printing: a document laid out by gongwen-print (GB/T 9704), or one of the official forms
//! (发文稿纸, 收文处理笺) of a task's flow, as PDF bytes for the preview, as a file the user
//! chose (导出PDF), or sent to the default printer (打印, through CUPS `lp`).
//!
//! The forms are filled from the task's flow view: the document's particulars, and every
//! signed opinion in the box of its step (审核 → 核稿, 签发 → 签发, 拟办 → 拟办意见 …), with
//! the signer's name and the date.

use std::path::{Path, PathBuf};

use gongwen_client::flow::{FlowView, TaskView};
use gongwen_domain::Document;
use gongwen_domain::document::DocDate;
use gongwen_domain::workflow::{OpinionEntry, StepKind};
use gongwen_print::PrintOutput;
use gongwen_print::forms::{DraftSheet, Opinion, Reading, ReceiptSheet};
use serde::Deserialize;
use tauri::State;
use tauri::ipc::Response;
use ts_rs::TS;

use crate::dto::{ExportedPdf, PrintedJob};
use crate::error::{CommandError, ErrorCode};
use crate::settings::Settings;
use crate::state::AppState;

/// What to print: the document itself, or one of the official forms of a task's flow.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(tag = "form", rename_all = "camelCase")]
pub enum PrintJob {
    /// The 公文 as it will be issued.
    Document {
        #[ts(type = "import(\"../lib/document\").GwDocument")]
        document: Box<Document>,
    },
    /// 发文稿纸 of the task's flow, with the opinions signed so far.
    DraftSheet {
        #[serde(rename = "taskId")]
        task_id: String,
    },
    /// 收文处理笺 of the task's flow, with the opinions and the 传阅 record so far.
    ReceiptSheet {
        #[serde(rename = "taskId")]
        task_id: String,
    },
}

/// The document as it will print, as PDF bytes (an `ArrayBuffer` in the UI), for the
/// preview.
#[tauri::command]
pub async fn print_pdf(document: Document) -> Result<Response, CommandError> {
    Ok(Response::new(gongwen_print::print_document(&document)?.pdf))
}

/// The PDF of a print job (the document or a form), for the preview's 正文/稿纸 tabs.
#[tauri::command]
pub async fn render_pdf(
    state: State<'_, AppState>,
    job: PrintJob,
) -> Result<Response, CommandError> {
    Ok(Response::new(render(&state, &job)?.0.pdf))
}

/// 导出PDF: writes the job's PDF to `path` (chosen in the save dialog). The file appears
/// whole or not at all: it is written beside the target and renamed over it.
#[tauri::command]
pub async fn export_pdf(
    state: State<'_, AppState>,
    job: PrintJob,
    path: String,
) -> Result<ExportedPdf, CommandError> {
    let (output, _) = render(&state, &job)?;
    let path = with_pdf_extension(PathBuf::from(path));
    write_atomically(&path, &output.pdf)?;
    Ok(ExportedPdf {
        path: path.display().to_string(),
        pages: output.pages as u64,
        bytes: output.pdf.len() as u64,
    })
}

/// 打印: sends the job's PDF to a printer, `copies` times. What the 打印 dialog leaves out
/// comes from 设置 · 打印: the printer chosen there (else the system's default printer) and
/// its number of copies. On Linux this goes through CUPS (`lp`); when no printer is set up
/// the error says so and suggests 导出PDF.
#[tauri::command]
pub async fn print_job(
    state: State<'_, AppState>,
    job: PrintJob,
    copies: Option<u32>,
    printer: Option<String>,
) -> Result<PrintedJob, CommandError> {
    let (copies, printer) = print_target(&state.settings(), copies, printer)?;
    let (output, title) = render(&state, &job)?;
    send_to_printer(
        &lp_program(),
        &output.pdf,
        &title,
        copies,
        printer.as_deref(),
    )
}

/// The copies and printer of a job: those asked for, else the settings' (`None` printer =
/// the system's default).
fn print_target(
    settings: &Settings,
    copies: Option<u32>,
    printer: Option<String>,
) -> Result<(u32, Option<String>), CommandError> {
    let copies = copies.unwrap_or(settings.copies);
    if !(1..=99).contains(&copies) {
        return Err(CommandError::new(
            ErrorCode::InvalidInput,
            "打印份数应在 1 到 99 之间。",
        ));
    }
    let printer = printer
        .filter(|p| !p.trim().is_empty())
        .or_else(|| settings.printer.clone());
    Ok((copies, printer))
}

/// The job's PDF, and its name for the print queue (the title, after the form's name).
fn render(state: &AppState, job: &PrintJob) -> Result<(PrintOutput, String), CommandError> {
    let (output, form, title) = match job {
        PrintJob::Document { document } => (
            gongwen_print::print_document(document)?,
            "",
            document.title.trim().to_owned(),
        ),
        PrintJob::DraftSheet { task_id } => {
            let view = state.client()?.task_view(task_id)?;
            (
                gongwen_print::forms::print_draft_sheet(&draft_sheet(&view))?,
                "发文稿纸 ",
                view.flow.title,
            )
        }
        PrintJob::ReceiptSheet { task_id } => {
            let view = state.client()?.task_view(task_id)?;
            (
                gongwen_print::forms::print_receipt_sheet(&receipt_sheet(&view))?,
                "收文处理笺 ",
                view.flow.title,
            )
        }
    };
    let title = if title.is_empty() {
        "公文".to_owned()
    } else {
        title
    };
    Ok((output, format!("{form}{title}")))
}

// ---------------------------------------------------------------------------
// Forms
// ---------------------------------------------------------------------------

/// UTC+8, where every date on a form is dated.
fn cst() -> time::UtcOffset {
    time::UtcOffset::from_hms(8, 0, 0).expect("UTC+8 is a valid offset")
}

fn date_of(at: time::OffsetDateTime) -> DocDate {
    DocDate(at.to_offset(cst()).date())
}

fn rfc3339_date(at: &str) -> Option<DocDate> {
    time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(date_of)
}

/// What an opinion box shows for one signed action.
fn opinion(entry: &OpinionEntry) -> Opinion {
    let written = entry.opinion.as_deref().map(str::trim).unwrap_or("");
    let text = match (entry.outcome.as_str(), written.is_empty()) {
        ("同意", true) => "圈阅".to_owned(),
        ("同意" | "已阅", false) => written.to_owned(),
        (outcome, true) => outcome.to_owned(),
        (outcome, false) => format!("{outcome}：{written}"),
    };
    Opinion {
        text,
        name: entry.signature.clone(),
        date: Some(date_of(entry.at)),
    }
}

/// The mode of a step (串签, 会签, 或签) as the flow view names it.
fn step_mode(flow: &FlowView, step: usize) -> &str {
    flow.steps
        .iter()
        .find(|s| s.index == step)
        .map(|s| s.mode.as_str())
        .unwrap_or("")
}

/// 发文稿纸 of a task's flow: the document's particulars and the opinions of 审核/复核
/// (核稿; 会签 steps in the 会签 box) and 签发.
pub(crate) fn draft_sheet(view: &TaskView) -> DraftSheet {
    let flow = &view.flow;
    let empty = Document::default();
    let doc = view.document.as_ref().unwrap_or(&empty);
    let mut sheet = DraftSheet {
        drafter: flow.owner_name.clone(),
        draft_date: rfc3339_date(&flow.created_at).or(doc.date),
        ..DraftSheet::from_document(doc)
    };
    if sheet.title.trim().is_empty() {
        sheet.title = flow.title.clone();
    }
    for entry in &flow.opinions {
        match entry.step_kind {
            StepKind::Review | StepKind::Recheck if step_mode(flow, entry.step) == "会签" => {
                sheet.countersign.push(opinion(entry))
            }
            StepKind::Review | StepKind::Recheck => sheet.review.push(opinion(entry)),
            StepKind::Sign => sheet.approval.push(opinion(entry)),
            _ => {}
        }
    }
    sheet
}

/// 收文处理笺 of a task's flow: the incoming document's particulars, the 拟办, 批办 and
/// 承办 opinions, and who read it in 传阅.
pub(crate) fn receipt_sheet(view: &TaskView) -> ReceiptSheet {
    let flow = &view.flow;
    let empty = Document::default();
    let doc = view.document.as_ref().unwrap_or(&empty);
    let mut sheet = ReceiptSheet {
        received: rfc3339_date(&flow.created_at),
        ..ReceiptSheet::from_document(doc)
    };
    if sheet.title.trim().is_empty() {
        sheet.title = flow.title.clone();
    }
    for entry in &flow.opinions {
        match entry.step_kind {
            // The 签收 time is the 回执 time: the day it was received.
            StepKind::Receive => sheet.received = Some(date_of(entry.at)),
            StepKind::Propose => sheet.proposed.push(opinion(entry)),
            StepKind::Instruct => sheet.instructions.push(opinion(entry)),
            StepKind::Handle | StepKind::Conclude => sheet.handling.push(opinion(entry)),
            StepKind::Circulate => sheet.circulation.push(Reading {
                reader: entry.signature.clone(),
                date: Some(date_of(entry.at)),
                note: entry.opinion.clone().unwrap_or_default(),
            }),
            _ => {}
        }
    }
    sheet
}

// ---------------------------------------------------------------------------
// Files and printers
// ---------------------------------------------------------------------------

fn with_pdf_extension(path: PathBuf) -> PathBuf {
    let is_pdf = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if is_pdf {
        path
    } else {
        let mut name = path.clone().into_os_string();
        name.push(".pdf");
        PathBuf::from(name)
    }
}

/// Writes `bytes` to `<path>.part` and renames it over `path`, so a full disk never leaves
/// half a PDF under the chosen name.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CommandError> {
    let mut part = path.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    let result = std::fs::write(&part, bytes).and_then(|()| std::fs::rename(&part, path));
    result.map_err(|error| {
        let _ = std::fs::remove_file(&part);
        tracing::warn!(%error, "export failed");
        CommandError::new(ErrorCode::InvalidInput, export_message(path, &error))
    })
}

fn export_message(path: &Path, error: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let shown = path.display();
    match error.kind() {
        K::StorageFull | K::QuotaExceeded => {
            format!("磁盘空间不足，未能导出PDF（{shown}）。请清理磁盘或换一个位置后重试。")
        }
        K::PermissionDenied | K::ReadOnlyFilesystem => {
            format!("没有权限写入 {shown}。请换一个文件夹（如“文档”）后重试。")
        }
        K::NotFound => format!("文件夹不存在：{shown}。请重新选择保存位置。"),
        _ => format!("未能导出PDF（{shown}）：{error}。请换一个位置后重试。"),
    }
}

/// The `lp` to run: `GONGWEN_LP` when set (tests, or a site's own wrapper), else `lp` on
/// the PATH.
fn lp_program() -> PathBuf {
    std::env::var_os("GONGWEN_LP")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("lp"))
}

/// Spools `pdf` through CUPS `lp`. `lp` copies the file into the spooler before it returns,
/// so the temporary file is removed right after.
#[cfg(unix)]
fn send_to_printer(
    lp: &Path,
    pdf: &[u8],
    title: &str,
    copies: u32,
    printer: Option<&str>,
) -> Result<PrintedJob, CommandError> {
    let file = std::env::temp_dir().join(format!(
        "gongwen-print-{}-{}.pdf",
        std::process::id(),
        time::OffsetDateTime::now_utc().unix_timestamp_nanos()
    ));
    std::fs::write(&file, pdf).map_err(|e| {
        CommandError::new(
            ErrorCode::Internal,
            format!("无法准备打印文件：{e}。请先导出PDF再打印。"),
        )
    })?;
    let mut command = std::process::Command::new(lp);
    command
        .arg("-n")
        .arg(copies.to_string())
        .arg("-t")
        .arg(title);
    if let Some(printer) = printer {
        command.arg("-d").arg(printer);
    }
    command.arg("--").arg(&file);
    let output = command.output();
    let _ = std::fs::remove_file(&file);
    let output = output.map_err(|error| {
        tracing::warn!(%error, lp = %lp.display(), "lp could not run");
        no_printer(if error.kind() == std::io::ErrorKind::NotFound {
            "本机没有安装打印服务（CUPS），无法直接打印。请安装 cups 并添加打印机，或先导出PDF再打印。".to_owned()
        } else {
            format!("无法启动打印服务：{error}。请先导出PDF再打印。")
        })
    })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        tracing::warn!(status = %output.status, stderr = %stderr.trim(), "lp refused the job");
        return Err(lp_failure(&stderr, printer));
    }
    Ok(parse_lp_output(&stdout, printer, copies))
}

#[cfg(not(unix))]
fn send_to_printer(
    _lp: &Path,
    _pdf: &[u8],
    _title: &str,
    _copies: u32,
    _printer: Option<&str>,
) -> Result<PrintedJob, CommandError> {
    Err(no_printer(
        "此系统上暂不支持直接打印。请先导出PDF，再用PDF阅读器打印。".to_owned(),
    ))
}

fn no_printer(message: String) -> CommandError {
    CommandError::new(ErrorCode::NoPrinter, message)
}

/// What `lp`'s complaint means for the user.
fn lp_failure(stderr: &str, printer: Option<&str>) -> CommandError {
    let lower = stderr.to_lowercase();
    if lower.contains("no default destination") {
        no_printer("本机还没有默认打印机。请在系统的“打印机”设置中添加打印机并设为默认，或先导出PDF再打印。".to_owned())
    } else if lower.contains("does not exist") || lower.contains("unknown destination") {
        no_printer(format!(
            "找不到打印机“{}”。请在设置中重新选择打印机，或先导出PDF再打印。",
            printer.unwrap_or("")
        ))
    } else if lower.contains("scheduler is not running")
        || lower.contains("unable to connect")
        || lower.contains("connection refused")
    {
        no_printer(
            "打印服务（CUPS）没有运行。请联系管理员启动打印服务，或先导出PDF再打印。".to_owned(),
        )
    } else if lower.contains("not accepting") {
        no_printer(
            "打印机当前不接受打印任务（已暂停或停用）。请检查打印机，或先导出PDF再打印。"
                .to_owned(),
        )
    } else {
        let detail = stderr.trim();
        no_printer(if detail.is_empty() {
            "打印失败。请检查打印机，或先导出PDF再打印。".to_owned()
        } else {
            format!("打印失败：{detail}。请检查打印机，或先导出PDF再打印。")
        })
    }
}

/// `request id is HP-12 (1 file(s))` → printer HP, job HP-12.
fn parse_lp_output(stdout: &str, printer: Option<&str>, copies: u32) -> PrintedJob {
    let job_id = stdout
        .split_whitespace()
        .skip_while(|w| *w != "is")
        .nth(1)
        .map(str::to_owned);
    let from_job = job_id
        .as_deref()
        .and_then(|j| j.rsplit_once('-'))
        .map(|(p, _)| p.to_owned());
    PrintedJob {
        printer: printer.map(str::to_owned).or(from_job).unwrap_or_default(),
        job_id,
        copies,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongwen_client::flow::StepView;
    use gongwen_domain::workflow::{NextChoice, PersonId, TaskId};

    fn at(s: &str) -> time::OffsetDateTime {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap()
    }

    fn entry(
        step: usize,
        kind: StepKind,
        who: &str,
        when: &str,
        outcome: &str,
        text: Option<&str>,
    ) -> OpinionEntry {
        OpinionEntry {
            step,
            step_kind: kind,
            step_name: kind.label().to_owned(),
            task: TaskId::from(format!("t{step}-{who}")),
            actor: PersonId::from(who.to_owned()),
            on_behalf_of: None,
            signature: who.to_owned(),
            at: at(when),
            outcome: outcome.to_owned(),
            opinion: text.map(str::to_owned),
        }
    }

    fn step(index: usize, name: &str, mode: &str) -> StepView {
        StepView {
            index,
            name: name.to_owned(),
            mode: mode.to_owned(),
            state: "done".to_owned(),
            planned: Vec::new(),
            handlers: Vec::new(),
        }
    }

    fn view(kind: &str, steps: Vec<StepView>, opinions: Vec<OpinionEntry>) -> TaskView {
        let document = Document::from_json(
            &std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/notice-full.json"),
            )
            .unwrap(),
        )
        .unwrap();
        TaskView {
            task_id: "t".into(),
            step_name: "签发".into(),
            assignee: "wang".into(),
            assignee_name: "王五".into(),
            status: "open".into(),
            status_label: "待办".into(),
            due_at: None,
            overdue: false,
            content_hash: String::new(),
            document: Some(document),
            actions: Vec::new(),
            next_choice: NextChoice::None,
            return_targets: Vec::new(),
            flow: FlowView {
                flow_id: "f".into(),
                document_id: "d".into(),
                doc_version: Some(1),
                title: "流程标题".into(),
                kind: kind.into(),
                route: "下行文发文".into(),
                owner: "zhang".into(),
                owner_name: "张三".into(),
                status: "running".into(),
                status_label: "办理中".into(),
                now_at: "签发（王五）".into(),
                content_hash: String::new(),
                created_at: "2026-11-20T01:30:00Z".into(),
                updated_at: "2026-11-21T01:30:00Z".into(),
                steps,
                opinions,
                pending_sync: 0,
            },
        }
    }

    #[test]
    fn the_draft_sheet_puts_each_opinion_in_its_box_with_name_and_date() {
        let v = view(
            "发文",
            vec![
                step(1, "审核", "串签"),
                step(2, "会签", "会签"),
                step(3, "签发", "串签"),
            ],
            vec![
                entry(
                    1,
                    StepKind::Review,
                    "李四",
                    "2026-11-21T02:00:00Z",
                    "同意",
                    Some("拟同意。"),
                ),
                entry(
                    2,
                    StepKind::Review,
                    "赵六",
                    "2026-11-21T17:00:00Z",
                    "同意",
                    None,
                ),
                entry(
                    3,
                    StepKind::Sign,
                    "王五",
                    "2026-11-22T03:00:00Z",
                    "退回",
                    Some("请补充数据"),
                ),
            ],
        );
        let sheet = draft_sheet(&v);
        assert_eq!(sheet.drafter, "张三");
        assert_eq!(sheet.draft_date, DocDate::new(2026, 11, 20));
        assert!(!sheet.organ.is_empty());
        assert_eq!(sheet.review.len(), 1);
        assert_eq!(sheet.review[0].text, "拟同意。");
        assert_eq!(sheet.review[0].name, "李四");
        // 会签 in its own box; approving without text is 圈阅; the date is China's (17:00Z is the next day).
        assert_eq!(sheet.countersign.len(), 1);
        assert_eq!(sheet.countersign[0].text, "圈阅");
        assert_eq!(sheet.countersign[0].date, DocDate::new(2026, 11, 22));
        assert_eq!(sheet.approval[0].text, "退回：请补充数据");
        // The form prints.
        let pdf = gongwen_print::forms::print_draft_sheet(&sheet).unwrap();
        assert!(pdf.pdf.starts_with(b"%PDF"));
    }

    #[test]
    fn the_receipt_sheet_lists_proposals_instructions_handling_and_readers() {
        let v = view(
            "收文",
            vec![],
            vec![
                entry(
                    0,
                    StepKind::Receive,
                    "文书",
                    "2026-11-23T01:00:00Z",
                    "同意",
                    None,
                ),
                entry(
                    2,
                    StepKind::Propose,
                    "办公室",
                    "2026-11-23T02:00:00Z",
                    "同意",
                    Some("拟请王局长阅示。"),
                ),
                entry(
                    3,
                    StepKind::Instruct,
                    "王局长",
                    "2026-11-24T02:00:00Z",
                    "同意",
                    Some("请综合科办理。"),
                ),
                entry(
                    4,
                    StepKind::Handle,
                    "综合科",
                    "2026-11-25T02:00:00Z",
                    "同意",
                    Some("已办理。"),
                ),
                entry(
                    5,
                    StepKind::Circulate,
                    "李副局长",
                    "2026-11-26T02:00:00Z",
                    "已阅",
                    None,
                ),
            ],
        );
        let sheet = receipt_sheet(&v);
        assert_eq!(sheet.received, DocDate::new(2026, 11, 23));
        assert_eq!(sheet.proposed[0].text, "拟请王局长阅示。");
        assert_eq!(sheet.instructions[0].name, "王局长");
        assert_eq!(sheet.handling[0].text, "已办理。");
        assert_eq!(sheet.circulation[0].reader, "李副局长");
        assert_eq!(sheet.circulation[0].date, DocDate::new(2026, 11, 26));
        assert!(!sheet.from_unit.is_empty());
        let pdf = gongwen_print::forms::print_receipt_sheet(&sheet).unwrap();
        assert!(pdf.pdf.starts_with(b"%PDF"));
    }

    #[test]
    fn a_print_job_is_tagged_by_form() {
        let job: PrintJob =
            serde_json::from_value(serde_json::json!({ "form": "draftSheet", "taskId": "t1" }))
                .unwrap();
        assert_eq!(
            job,
            PrintJob::DraftSheet {
                task_id: "t1".into()
            }
        );
        let job: PrintJob = serde_json::from_value(
            serde_json::json!({ "form": "document", "document": { "title": "关于的通知" } }),
        )
        .unwrap();
        assert!(matches!(job, PrintJob::Document { .. }));
    }

    #[test]
    fn export_adds_the_extension_and_never_leaves_half_a_file() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = with_pdf_extension(dir.path().join("通知"));
        assert_eq!(path.file_name().unwrap(), "通知.pdf");
        write_atomically(&path, b"%PDF-1.7 test").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"%PDF-1.7 test");
        assert!(!dir.path().join("通知.pdf.part").exists());

        let missing = dir.path().join("没有这个文件夹").join("a.pdf");
        let error = write_atomically(&missing, b"x").unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert!(error.message.contains("文件夹不存在"), "{}", error.message);
    }

    #[test]
    fn a_job_takes_the_printer_and_copies_of_the_settings_unless_told_otherwise() {
        let settings = Settings {
            printer: Some("Office_HP".into()),
            copies: 3,
            ..Settings::default()
        };
        assert_eq!(
            print_target(&settings, None, None).unwrap(),
            (3, Some("Office_HP".into()))
        );
        // A blank printer name is no choice.
        assert_eq!(
            print_target(&settings, Some(2), Some("  ".into())).unwrap(),
            (2, Some("Office_HP".into()))
        );
        assert_eq!(
            print_target(&settings, Some(1), Some("Canon".into())).unwrap(),
            (1, Some("Canon".into()))
        );
        // No printer in the settings: the system's default.
        assert_eq!(
            print_target(&Settings::default(), None, None).unwrap(),
            (1, None)
        );
        let e = print_target(&settings, Some(0), None).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(print_target(&settings, Some(100), None).is_err());
    }

    #[test]
    fn lp_complaints_become_chinese_advice() {
        let e = lp_failure("lp: Error - No default destination.\n", None);
        assert_eq!(e.code, ErrorCode::NoPrinter);
        assert!(e.message.contains("默认打印机"), "{}", e.message);
        assert!(e.message.contains("导出PDF"), "{}", e.message);
        let e = lp_failure("lp: The printer or class does not exist.", Some("HP"));
        assert!(e.message.contains("找不到打印机“HP”"), "{}", e.message);
        let e = lp_failure("lp: Error - Scheduler is not running.", None);
        assert!(e.message.contains("CUPS"), "{}", e.message);
    }

    #[test]
    fn lp_output_names_the_job_and_printer() {
        let job = parse_lp_output("request id is Office_HP-42 (1 file(s))\n", None, 2);
        assert_eq!(job.job_id.as_deref(), Some("Office_HP-42"));
        assert_eq!(job.printer, "Office_HP");
        assert_eq!(job.copies, 2);
    }

    #[cfg(unix)]
    #[test]
    fn printing_runs_lp_with_copies_title_and_printer() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::TempDir::new().unwrap();
        let log = dir.path().join("args");
        let lp = dir.path().join("lp");
        std::fs::write(
            &lp,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\nhead -c 4 \"$8\" >> '{}'\necho 'request id is Office-7 (1 file(s))'\n",
                log.display(),
                log.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&lp, std::fs::Permissions::from_mode(0o755)).unwrap();
        let job = send_to_printer(&lp, b"%PDF-1.7", "通知", 3, Some("Office")).unwrap();
        assert_eq!(job.job_id.as_deref(), Some("Office-7"));
        assert_eq!(job.printer, "Office");
        let args = std::fs::read_to_string(&log).unwrap();
        let lines: Vec<&str> = args.lines().collect();
        assert_eq!(&lines[..6], ["-n", "3", "-t", "通知", "-d", "Office"]);
        assert_eq!(lines[6], "--");
        // The spooled file held the PDF, and is gone afterwards.
        assert_eq!(lines[8], "%PDF");
        assert!(!Path::new(lines[7]).exists());

        // No printer at all.
        let failing = dir.path().join("lp-fail");
        std::fs::write(
            &failing,
            "#!/bin/sh\necho 'lp: Error - No default destination.' >&2\nexit 1\n",
        )
        .unwrap();
        std::fs::set_permissions(&failing, std::fs::Permissions::from_mode(0o755)).unwrap();
        let error = send_to_printer(&failing, b"%PDF", "通知", 1, None).unwrap_err();
        assert_eq!(error.code, ErrorCode::NoPrinter);

        // No CUPS installed.
        let error =
            send_to_printer(&dir.path().join("no-such-lp"), b"%PDF", "通知", 1, None).unwrap_err();
        assert!(error.message.contains("CUPS"), "{}", error.message);
    }
}
